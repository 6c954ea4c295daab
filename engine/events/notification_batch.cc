#include "engine/events/notification_batch.h"

#include <algorithm>
#include <cstdio>

#include "net/base/json_writer.h"

namespace hookfan::engine {

void NotificationBatch::Add(std::string_view type) {
  ++events_;
  // A batch holds few distinct types (Pryv has a handful of resource kinds): a linear scan
  // beats hashing here.
  if (std::find(types_.begin(), types_.end(), type) == types_.end()) types_.emplace_back(type);
}

std::string NotificationBatch::TakeBody(std::string_view api_version, std::int64_t serial,
                                        std::int64_t now_unix_ms) {
  JsonWriter json;
  json.BeginObject();
  json.Key("messages").BeginArray();
  for (const std::string& type : types_) json.String(type);
  json.EndArray();
  json.Key("meta").BeginObject();
  json.Key("apiVersion").String(api_version);
  // Seconds with millisecond fraction, as Pryv sends it (1557927701.698).
  char server_time[32];
  std::snprintf(server_time, sizeof server_time, "%lld.%03lld",
                static_cast<long long>(now_unix_ms / 1000),
                static_cast<long long>(now_unix_ms % 1000));
  json.Key("serverTime").Raw(server_time);
  json.Key("serial").Int(serial);
  json.EndObject();
  json.EndObject();
  types_.clear();
  events_ = 0;
  return json.Take();
}

}  // namespace hookfan::engine
