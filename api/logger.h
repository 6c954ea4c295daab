#pragma once
// serve's log: one line per event on stderr, either a JSON object
//   {"ts":"2026-12-02T08:01:02.345Z","level":"info","msg":"endpoint created","endpoint":"a"}
// or text
//   2026-12-02T08:01:02.345Z info endpoint created endpoint=a
// ([log] format, level). Callers pass fields as (key, value) pairs and never a secret or a
// token: nothing here can tell one from other text, so the rule is on the call sites (a test
// greps serve's stderr for every secret and token it used).
// Thread-safe: one write(2) per line.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace hookfan::tools {

enum class LogLevel : unsigned char { kDebug, kInfo, kWarn, kError };

class Logger {
 public:
  using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  Logger() = default;
  Logger(LogLevel level, bool json) : level_(level), json_(json) {}

  void Log(LogLevel level, std::string_view message, Fields fields = {}) const;
  void Info(std::string_view message, Fields fields = {}) const {
    Log(LogLevel::kInfo, message, fields);
  }
  void Warn(std::string_view message, Fields fields = {}) const {
    Log(LogLevel::kWarn, message, fields);
  }
  void Error(std::string_view message, Fields fields = {}) const {
    Log(LogLevel::kError, message, fields);
  }

  // "debug", "info", "warn", "error"; nullopt-like false for anything else.
  static bool ParseLevel(std::string_view name, LogLevel* out);

 private:
  LogLevel level_ = LogLevel::kInfo;
  bool json_ = true;
};

}  // namespace hookfan::tools
