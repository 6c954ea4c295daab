// The dead-letter routes of the admin API (api/admin_api.h): list, newest first and paged,
// and replay, which resolves a whole request before it sends anything.
#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "api/admin_api.h"
#include "api/json_response.h"
#include "api/query_params.h"
#include "engine/retry/outcome_classifier.h"
#include "net/base/clock.h"
#include "net/base/duration.h"
#include "net/base/json_writer.h"

namespace hookfan::tools {
namespace {

// "since": an integer of unix milliseconds, or a duration meaning "that long ago" ("1h").
StatusOr<std::int64_t> ParseSince(std::string_view text, std::string_view field) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc() && end == text.data() + text.size() && value >= 0) return value;
  auto ago = ParseDuration(text, field);
  if (!ago.ok()) {
    return Status::InvalidArgument(std::string(field) +
                                   ": must be unix milliseconds or a duration such as \"1h\"");
  }
  return WallNowMs() - *ago;
}

std::string DeadLetterId(std::uint64_t sequence) { return "dl_" + std::to_string(sequence); }

std::optional<std::uint64_t> ParseDeadLetterId(std::string_view id) {
  if (!id.starts_with("dl_")) return std::nullopt;
  id.remove_prefix(3);
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), value);
  if (error != std::errc() || end != id.data() + id.size()) return std::nullopt;
  return value;
}

}  // namespace

std::vector<engine::DeadLetter> AdminApi::LiveDeadLetters() {
  std::vector<engine::DeadLetter> letters = engine_.DeadLetters(SIZE_MAX);
  std::set<std::uint64_t> still_kept;
  std::erase_if(letters, [&](const engine::DeadLetter& letter) {
    if (!replayed_.contains(letter.sequence)) return false;
    still_kept.insert(letter.sequence);
    return true;
  });
  replayed_ = std::move(still_kept);
  return letters;
}

std::string AdminApi::LastErrorOf(const engine::DeadLetter& letter) const {
  if (options_.attempts == nullptr) return letter.reason;
  const auto entry = options_.attempts->LatestOf(letter.endpoint_id, letter.event->id);
  if (!entry) return letter.reason;
  if (entry->error != net::RequestError::kNone)
    return std::string(net::RequestErrorName(entry->error));
  return std::string(engine::HttpStatusReason(entry->status));
}

void AdminApi::ListDeadLetters(const net::ServerRequest& request, const Principal& who,
                               net::HttpResponder& responder) {
  auto query = QueryParams::Parse(request.query());
  if (!query.ok()) return RespondStatus(responder, query.status());
  if (auto unknown = query->Unknown({"endpoint", "since", "limit", "cursor"})) {
    return RespondError(responder, 400, *unknown + ": unknown query parameter");
  }
  auto limit = query->Int("limit", 100, 1, kMaxPageSize);
  if (!limit.ok()) return RespondStatus(responder, limit.status());
  std::int64_t since = 0;
  if (auto text = query->Get("since")) {
    auto parsed = ParseSince(*text, "since");
    if (!parsed.ok()) return RespondStatus(responder, parsed.status());
    since = *parsed;
  }
  const std::optional<std::string> endpoint = query->Get("endpoint");
  if (endpoint && Visible(*endpoint, who) == nullptr) {
    return RespondError(responder, 404, "endpoint '" + *endpoint + "': not found");
  }
  std::optional<std::uint64_t> cursor;
  if (auto text = query->Get("cursor")) {
    cursor = ParseDeadLetterId(*text);
    if (!cursor) return RespondError(responder, 400, "cursor: not a dead letter id");
  }
  // Newest first; the cursor is the last id of the previous page.
  std::vector<engine::DeadLetter> letters = LiveDeadLetters();
  JsonWriter json;
  json.BeginObject().Key("dead_letters").BeginArray();
  std::int64_t written = 0;
  bool past_cursor = !cursor.has_value(), more = false;
  std::uint64_t last = 0;
  for (const engine::DeadLetter& letter : letters) {
    if (!past_cursor) {
      past_cursor = letter.sequence == *cursor;
      continue;
    }
    if (endpoint && letter.endpoint_id != *endpoint) continue;
    if (letter.unix_ms < since) continue;
    if (!who.admin && Visible(letter.endpoint_id, who) == nullptr) continue;
    if (written == *limit) {
      more = true;
      break;
    }
    json.BeginObject();
    json.Key("id").String(DeadLetterId(letter.sequence));
    json.Key("event_id").String(letter.event->id);
    json.Key("event_type").String(letter.event->type);
    json.Key("endpoint").String(letter.endpoint_id);
    json.Key("reason").String(letter.reason);
    json.Key("last_error").String(LastErrorOf(letter));
    json.Key("last_status").Int(letter.last_status);
    json.Key("attempts").Int(letter.attempts);
    json.Key("created_unix_ms").Int(letter.unix_ms);
    json.EndObject();
    last = letter.sequence;
    ++written;
  }
  json.EndArray().Key("next_cursor");
  if (more) {
    json.String(DeadLetterId(last));
  } else {
    json.Null();
  }
  json.EndObject();
  RespondJson(responder, 200, json.text());
}

void AdminApi::ReplayDeadLetters(const net::ServerRequest& request, const Principal& who,
                                 net::HttpResponder& responder) {
  const std::string_view body = request.body();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object members;
  if (parser.parse(body.data(), body.size()).get(root) || root.get_object().get(members)) {
    return RespondError(responder, 400, "replay: the body must be a JSON object");
  }
  std::vector<std::string> ids;
  std::optional<std::string> endpoint;
  std::int64_t since = 0;
  for (auto [key, value] : members) {
    std::string_view text;
    if (key == "ids") {
      simdjson::dom::array array;
      if (value.get_array().get(array)) {
        return RespondError(responder, 400, "replay.ids: must be an array of strings");
      }
      for (simdjson::dom::element item : array) {
        if (item.get_string().get(text)) {
          return RespondError(responder, 400, "replay.ids: must be an array of strings");
        }
        ids.emplace_back(text);
      }
    } else if (key == "endpoint") {
      if (value.get_string().get(text)) {
        return RespondError(responder, 400, "replay.endpoint: must be a string");
      }
      endpoint = std::string(text);
    } else if (key == "since") {
      if (value.is_int64()) {
        since = value.get_int64().value();
      } else if (!value.get_string().get(text)) {
        auto parsed = ParseSince(text, "replay.since");
        if (!parsed.ok()) return RespondStatus(responder, parsed.status());
        since = *parsed;
      } else {
        return RespondError(responder, 400,
                            "replay.since: must be unix milliseconds or a duration");
      }
    } else {
      return RespondError(responder, 400, "replay." + std::string(key) + ": unknown field");
    }
  }
  if (ids.empty() == !endpoint.has_value()) {
    return RespondError(responder, 400,
                        "replay: give either \"ids\" or \"endpoint\" (with an optional \"since\")");
  }
  // Resolve everything first: a replay is refused as a whole rather than done in part.
  std::vector<engine::DeadLetter> letters = LiveDeadLetters();
  std::vector<const engine::DeadLetter*> chosen;
  if (endpoint) {
    if (Visible(*endpoint, who) == nullptr) {
      return RespondError(responder, 404, "endpoint '" + *endpoint + "': not found");
    }
    for (const engine::DeadLetter& letter : letters) {
      if (letter.endpoint_id == *endpoint && letter.unix_ms >= since) chosen.push_back(&letter);
    }
  } else {
    for (const std::string& id : ids) {
      auto sequence = ParseDeadLetterId(id);
      auto it = std::find_if(letters.begin(), letters.end(), [&](const engine::DeadLetter& l) {
        return sequence && l.sequence == *sequence;
      });
      if (it == letters.end() || Visible(it->endpoint_id, who) == nullptr) {
        return RespondError(responder, 404, "dead letter '" + id + "': not found");
      }
      chosen.push_back(&*it);
    }
  }
  std::map<std::string, bool> enabled;
  for (const engine::EndpointStats& e : engine_.Stats().endpoints) enabled[e.id] = e.enabled;
  for (const engine::DeadLetter* letter : chosen) {
    if (!enabled[letter->endpoint_id]) {
      return RespondError(responder, 409,
                          "endpoint '" + letter->endpoint_id +
                              "' is disabled: enable it (POST /v1/endpoints/" +
                              letter->endpoint_id + "/enable) before replaying");
    }
  }
  JsonWriter json;
  json.BeginObject().Key("replayed").BeginArray();
  for (const engine::DeadLetter* letter : chosen) {
    if (options_.on_replay) options_.on_replay(*letter, true);
    Status replayed = engine_.Replay(letter->sequence);
    if (!replayed.ok()) {
      if (options_.on_replay) options_.on_replay(*letter, false);
      // Earlier ones went: say which, so the caller can tell what is left.
      return RespondError(
          responder, HttpStatusOf(replayed),
          "dead letter '" + DeadLetterId(letter->sequence) + "': " + replayed.message());
    }
    replayed_.insert(letter->sequence);
    options_.log->Info("dead letter replayed", {{"dead_letter", DeadLetterId(letter->sequence)},
                                                {"endpoint", letter->endpoint_id},
                                                {"event_id", letter->event->id}});
    json.String(DeadLetterId(letter->sequence));
  }
  json.EndArray().EndObject();
  RespondJson(responder, 200, json.text());
}

}  // namespace hookfan::tools
