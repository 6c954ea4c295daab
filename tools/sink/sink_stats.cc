#include "tools/sink/sink_stats.h"

#include <cstdio>

namespace hookfan::tools {

namespace {

void AppendFormat(std::string* out, const char* format, auto... values) {
  char buffer[64];
  int length = std::snprintf(buffer, sizeof(buffer), format, values...);
  out->append(buffer, static_cast<size_t>(length));
}

void AppendNumber(std::string* out, std::uint64_t value) {
  AppendFormat(out, "%llu", static_cast<unsigned long long>(value));
}

}  // namespace

std::uint64_t SinkStats::answered() const {
  std::uint64_t total = 0;
  for (std::uint64_t count : by_status) total += count;
  return total;
}

std::string FormatSinkStats(const SinkStats& stats, std::string_view kind, double elapsed_s,
                            double rps, bool json) {
  std::string out;
  if (json) {
    out += "{\"type\":\"";
    out += kind;
    out += "\"";
    AppendFormat(&out, ",\"elapsed_s\":%.3f", elapsed_s);
    out += ",\"requests\":";
    AppendNumber(&out, stats.requests);
    AppendFormat(&out, ",\"rps\":%.1f", rps);
    out += ",\"status\":{";
    bool first = true;
    for (size_t status = 0; status < stats.by_status.size(); ++status) {
      if (stats.by_status[status] == 0) continue;
      AppendFormat(&out, first ? "\"%zu\":" : ",\"%zu\":", status);
      AppendNumber(&out, stats.by_status[status]);
      first = false;
    }
    out += "},\"resets\":";
    AppendNumber(&out, stats.resets);
    out += ",\"bad_signatures\":";
    AppendNumber(&out, stats.bad_signatures);
    out += ",\"duplicates\":";
    AppendNumber(&out, stats.duplicates);
    out += "}";
    return out;
  }
  out += kind;
  AppendFormat(&out, " elapsed=%.1fs", elapsed_s);
  out += " requests=";
  AppendNumber(&out, stats.requests);
  AppendFormat(&out, " rps=%.1f", rps);
  out += " status=";
  bool first = true;
  for (size_t status = 0; status < stats.by_status.size(); ++status) {
    if (stats.by_status[status] == 0) continue;
    AppendFormat(&out, first ? "%zu:" : ",%zu:", status);
    AppendNumber(&out, stats.by_status[status]);
    first = false;
  }
  if (first) out += "-";
  out += " resets=";
  AppendNumber(&out, stats.resets);
  out += " bad_signatures=";
  AppendNumber(&out, stats.bad_signatures);
  out += " duplicates=";
  AppendNumber(&out, stats.duplicates);
  return out;
}

}  // namespace hookfan::tools
