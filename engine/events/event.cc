#include "engine/events/event.h"

#include <openssl/rand.h>

#include "net/base/check.h"
#include "net/base/clock.h"

namespace hookfan::engine {

std::string GenerateEventId() {
  static constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  // ULID: 48 bits of milliseconds, then 80 random bits; 26 base32 characters.
  unsigned char bytes[16];
  const std::uint64_t ms = static_cast<std::uint64_t>(WallNowMs());
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  HOOKFAN_CHECK(RAND_bytes(bytes + 6, 10) == 1);

  std::string id = "msg_";
  id.resize(4 + 26);
  // Read the 128 bits as 26 groups of 5 bits, most significant first (2 leading pad bits).
  unsigned __int128 value = 0;
  for (unsigned char b : bytes) value = (value << 8) | b;
  for (int i = 25; i >= 0; --i) {
    id[4 + static_cast<size_t>(i)] = kCrockford[static_cast<unsigned>(value & 31)];
    value >>= 5;
  }
  return id;
}

EventPtr MakeEvent(std::string type, std::string payload, std::string id,
                   std::vector<std::string> channels) {
  auto event = std::make_shared<Event>();
  event->id = id.empty() ? GenerateEventId() : std::move(id);
  event->type = std::move(type);
  event->channels = std::move(channels);
  event->payload = std::move(payload);
  event->received_unix_ms = WallNowMs();
  return event;
}

}  // namespace hookfan::engine
