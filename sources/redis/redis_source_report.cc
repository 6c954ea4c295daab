#include "sources/redis/redis_source_report.h"

#include "net/base/json_writer.h"

namespace hookfan::sources {

std::string RedisSourceHealthJson(const RedisSourceStats& stats, const RedisSourceOptions& options) {
  JsonWriter json;
  json.BeginObject();
  json.Key("kind").String("redis");
  json.Key("stream").String(options.stream);
  json.Key("group").String(options.group);
  json.Key("connected").Bool(stats.connected);
  json.Key("lag").Int(stats.group_lag);
  json.Key("pending_entries").Int(stats.group_pending);
  json.Key("entries_in_memory").Uint(stats.entries_in_memory);
  json.Key("reconnects").Uint(stats.reconnects);
  if (!stats.last_error.empty()) json.Key("last_error").String(stats.last_error);
  json.EndObject();
  return json.text();
}

std::string RedisSourcePrometheus(const RedisSourceStats& stats) {
  std::string out;
  auto metric = [&out](const char* name, const char* type, const char* help, auto value) {
    out += "# HELP hookfan_redis_";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE hookfan_redis_";
    out += name;
    out += ' ';
    out += type;
    out += "\nhookfan_redis_";
    out += name;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
  };
  metric("connected", "gauge", "1 while both connections are up and the group is in place.",
         stats.connected ? 1 : 0);
  metric("lag", "gauge", "Entries in the stream not yet read by the group (-1: unknown).",
         stats.group_lag);
  metric("pending_entries", "gauge",
         "Entries read by the group's consumers and not acknowledged (-1: unknown).",
         stats.group_pending);
  metric("entries_in_memory", "gauge", "Entries this instance published and has not acknowledged.",
         stats.entries_in_memory);
  metric("entries_read_total", "counter", "Entries published to the engine.", stats.entries_read);
  metric("entries_acked_total", "counter", "Entries acknowledged (XACK).", stats.entries_acked);
  metric("entries_malformed_total", "counter", "Entries dead-lettered as malformed.",
         stats.entries_malformed);
  metric("dead_letters_written_total", "counter", "Records written to <stream>:dead.",
         stats.dead_letters_written);
  metric("reconnects_total", "counter", "Connections lost or refused, then retried.",
         stats.reconnects);
  metric("groups_recreated_total", "counter", "NOGROUP answers after which the group was made again.",
         stats.groups_recreated);
  metric("entries_claimed_total", "counter",
         "Entries taken over from a consumer that stopped refreshing them.",
         stats.entries_claimed);
  metric("entries_claims_exhausted_total", "counter",
         "Entries claimed more than max_claims times, dead-lettered.",
         stats.entries_claims_exhausted);
  metric("commands_total", "counter", "Commands this instance sent to Redis.", stats.redis_commands);
  return out;
}

}  // namespace hookfan::sources
