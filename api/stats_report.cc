#include "api/stats_report.h"

#include <cstdio>

#include "net/base/json_writer.h"

namespace hookfan::tools {
namespace {

void WriteEndpoint(JsonWriter& json, const engine::EndpointStats& e) {
  json.BeginObject();
  json.Key("id").String(e.id);
  json.Key("enabled").Bool(e.enabled);
  json.Key("delivered").Uint(e.delivered);
  json.Key("failed_attempts").Uint(e.failed_attempts);
  json.Key("dead_lettered").Uint(e.dead_lettered);
  json.Key("pending").Uint(e.pending);
  json.Key("pending_retries").Uint(e.pending_retries);
  json.Key("in_flight").Uint(e.in_flight);
  json.Key("last_status").Int(e.last_status);
  json.Key("last_attempt_unix_ms").Int(e.last_attempt_unix_ms);
  json.Key("last_error");
  if (e.last_error.empty()) {
    json.Null();
  } else {
    json.String(e.last_error);
  }
  json.Key("last_error_unix_ms").Int(e.last_error_unix_ms);
  json.Key("latency_ms").BeginObject();
  json.Key("p50").Double(static_cast<double>(e.latency_us.Percentile(50)) / 1000.0);
  json.Key("p90").Double(static_cast<double>(e.latency_us.Percentile(90)) / 1000.0);
  json.Key("p99").Double(static_cast<double>(e.latency_us.Percentile(99)) / 1000.0);
  json.Key("max").Double(static_cast<double>(e.latency_us.max()) / 1000.0);
  json.EndObject();
  json.EndObject();
}

// Prometheus label values escape backslash, quote and newline.
std::string Label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string StatsToJson(const engine::EngineStats& stats) {
  JsonWriter json;
  json.BeginObject();
  json.Key("published_events").Uint(stats.published_events);
  json.Key("rejected_events").Uint(stats.rejected_events);
  json.Key("dead_letters_kept").Uint(stats.dead_letters_kept);
  json.Key("dead_letters_evicted").Uint(stats.dead_letters_evicted);
  json.Key("total");
  WriteEndpoint(json, stats.total);
  json.Key("endpoints").BeginArray();
  for (const auto& e : stats.endpoints) WriteEndpoint(json, e);
  json.EndArray();
  json.EndObject();
  return json.Take();
}

std::string StatsToPrometheus(const engine::EngineStats& stats) {
  std::string out;
  auto counter = [&](const char* name, const char* help, const char* type, auto value_of) {
    out += "# HELP hookfan_";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE hookfan_";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
    for (const auto& e : stats.endpoints) {
      out += "hookfan_";
      out += name;
      out += "{endpoint=\"" + Label(e.id) + "\"} " + std::to_string(value_of(e)) + "\n";
    }
  };
  out += "# HELP hookfan_published_events_total Events accepted for fan-out.\n";
  out += "# TYPE hookfan_published_events_total counter\n";
  out += "hookfan_published_events_total " + std::to_string(stats.published_events) + "\n";
  out += "# HELP hookfan_rejected_events_total Events refused by admission control.\n";
  out += "# TYPE hookfan_rejected_events_total counter\n";
  out += "hookfan_rejected_events_total " + std::to_string(stats.rejected_events) + "\n";
  out += "# HELP hookfan_dead_letters_evicted_total Dead letters dropped from a full list.\n";
  out += "# TYPE hookfan_dead_letters_evicted_total counter\n";
  out += "hookfan_dead_letters_evicted_total " + std::to_string(stats.dead_letters_evicted) + "\n";
  counter("delivered_total", "Deliveries that succeeded.", "counter",
          [](const engine::EndpointStats& e) { return e.delivered; });
  counter("failed_attempts_total", "Attempts that failed.", "counter",
          [](const engine::EndpointStats& e) { return e.failed_attempts; });
  counter("dead_lettered_total", "Deliveries dead-lettered.", "counter",
          [](const engine::EndpointStats& e) { return e.dead_lettered; });
  counter("pending_deliveries", "Deliveries queued, waiting or in flight.", "gauge",
          [](const engine::EndpointStats& e) { return e.pending; });
  counter("pending_retries", "Deliveries waiting for a retry.", "gauge",
          [](const engine::EndpointStats& e) { return e.pending_retries; });
  counter("endpoint_enabled", "1 when the endpoint is enabled.", "gauge",
          [](const engine::EndpointStats& e) { return e.enabled ? 1 : 0; });
  out += "# HELP hookfan_delivery_latency_seconds Publish-to-success latency.\n";
  out += "# TYPE hookfan_delivery_latency_seconds summary\n";
  for (const auto& e : stats.endpoints) {
    for (double q : {0.5, 0.9, 0.99}) {
      char line[256];
      std::snprintf(line, sizeof line,
                    "hookfan_delivery_latency_seconds{endpoint=\"%s\",quantile=\"%g\"} %.6f\n",
                    Label(e.id).c_str(), q,
                    static_cast<double>(e.latency_us.Percentile(q * 100)) / 1e6);
      out += line;
    }
    out += "hookfan_delivery_latency_seconds_count{endpoint=\"" + Label(e.id) + "\"} " +
           std::to_string(e.latency_us.count()) + "\n";
  }
  return out;
}

std::string StatsToTable(const engine::EngineStats& stats) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-18s %8s %10s %8s %8s %8s %9s %9s %7s\n", "endpoint",
                "enabled", "delivered", "failed", "dead", "pending", "p50 ms", "p99 ms", "last");
  out += line;
  auto row = [&](const engine::EndpointStats& e) {
    std::snprintf(line, sizeof line, "%-18.18s %8s %10llu %8llu %8llu %8llu %9.1f %9.1f %7d\n",
                  e.id.c_str(), e.enabled ? "yes" : "NO",
                  static_cast<unsigned long long>(e.delivered),
                  static_cast<unsigned long long>(e.failed_attempts),
                  static_cast<unsigned long long>(e.dead_lettered),
                  static_cast<unsigned long long>(e.pending),
                  static_cast<double>(e.latency_us.Percentile(50)) / 1000.0,
                  static_cast<double>(e.latency_us.Percentile(99)) / 1000.0, e.last_status);
    out += line;
  };
  for (const auto& e : stats.endpoints) row(e);
  row(stats.total);
  return out;
}

}  // namespace hookfan::tools
