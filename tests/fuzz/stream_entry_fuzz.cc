// Fuzzes StreamEntryParser::Parse with the fields of one Redis stream entry (what any
// producer with write access to the stream controls). The input is "name\0value\0name\0..."
// (a trailing name without value is dropped); the first line-free prefix before '\n' is the
// entry id. Checked: an accepted entry obeys the event id/type/channel rules and carries the
// payload byte for byte; a refused one names a field.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/events/event_id.h"
#include "net/base/check.h"
#include "sources/redis/stream_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static hookfan::sources::StreamEntryParser parser(/*max_payload_bytes=*/4096);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view entry_id = "1700000000000-0";
  if (const std::size_t newline = input.find('\n'); newline != std::string_view::npos) {
    entry_id = input.substr(0, newline);
    input.remove_prefix(newline + 1);
  }
  std::vector<std::string_view> parts;
  while (!input.empty()) {
    const std::size_t zero = input.find('\0');
    parts.push_back(input.substr(0, zero));
    if (zero == std::string_view::npos) break;
    input.remove_prefix(zero + 1);
  }
  std::vector<hookfan::sources::EntryField> fields;
  for (std::size_t i = 0; i + 1 < parts.size(); i += 2) fields.push_back({parts[i], parts[i + 1]});

  auto event = parser.Parse(entry_id, fields);
  if (!event.ok()) {
    const std::string& message = event.status().message();
    HOOKFAN_CHECK(message.find(": ") != std::string::npos);
    return 0;
  }
  const auto& e = **event;
  HOOKFAN_CHECK(hookfan::engine::ValidateEventId(e.id).ok());
  HOOKFAN_CHECK(hookfan::engine::ValidateEventType(e.type).ok());
  for (const std::string& channel : e.channels) {
    HOOKFAN_CHECK(hookfan::engine::ValidateChannel(channel).ok());
  }
  HOOKFAN_CHECK(e.entry_id == entry_id);
  HOOKFAN_CHECK(e.payload.size() <= 4096);
  bool found = false;
  for (const auto& field : fields)
    found = found || (field.name == "payload" && field.value == e.payload);
  HOOKFAN_CHECK(found);
  return 0;
}
