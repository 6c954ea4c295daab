#pragma once
// SinkStats: what `hookfan sink` counted, and the one-line renderings it prints (periodic
// "stats" lines and the final "summary"), human-readable or JSON. Field meanings are in
// docs/sink.md.
//
//   SinkStats stats;
//   ++stats.requests; ++stats.by_status[200];
//   puts(FormatSinkStats(stats, "summary", /*elapsed_s=*/2.0, /*rps=*/0.5, /*json=*/true).c_str());
//   // {"type":"summary","elapsed_s":2.000,"requests":1,"rps":0.5,"status":{"200":1},...}

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace hookfan::tools {

struct SinkStats {
  std::uint64_t requests = 0;        // complete requests received
  std::uint64_t resets = 0;          // connections reset on purpose (--reset-rate)
  std::uint64_t bad_signatures = 0;  // missing or wrong signatures (--secret), answered 401
  std::uint64_t duplicates = 0;      // 2xx-acknowledged webhook-ids seen again
  std::array<std::uint64_t, 600> by_status{};  // answers decided, by HTTP status

  std::uint64_t answered() const;  // sum of by_status
};

// One line, no newline. `kind` is "stats" or "summary".
std::string FormatSinkStats(const SinkStats& stats, std::string_view kind, double elapsed_s,
                            double rps, bool json);

}  // namespace hookfan::tools
