#include "api/logger.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "net/base/clock.h"
#include "net/base/json_writer.h"

namespace hookfan::tools {
namespace {

constexpr std::string_view kLevelNames[] = {"debug", "info", "warn", "error"};

std::string Timestamp() {
  const std::int64_t ms = WallNowMs();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return text;
}

}  // namespace

bool Logger::ParseLevel(std::string_view name, LogLevel* out) {
  for (std::size_t i = 0; i < std::size(kLevelNames); ++i) {
    if (kLevelNames[i] == name) {
      *out = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

void Logger::Log(LogLevel level, std::string_view message, Fields fields) const {
  if (level < level_) return;
  const std::string_view level_name = kLevelNames[static_cast<int>(level)];
  std::string line;
  if (json_) {
    JsonWriter json;
    json.BeginObject();
    json.Key("ts").String(Timestamp());
    json.Key("level").String(level_name);
    json.Key("msg").String(message);
    for (const auto& [key, value] : fields) json.Key(key).String(value);
    json.EndObject();
    line = json.Take();
  } else {
    line = Timestamp() + " " + std::string(level_name) + " " + std::string(message);
    for (const auto& [key, value] : fields) {
      line += ' ';
      line += key;
      line += '=';
      line += value;
    }
  }
  line += '\n';
  // One write per line, so lines from several threads never interleave.
  const char* data = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, data, left);
    if (n <= 0) return;
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace hookfan::tools
