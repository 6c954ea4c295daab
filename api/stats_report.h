#pragma once
// Renders the engine's stats for people and programs: JSON (GET /v1/stats, `run`'s summary),
// Prometheus text (GET /metrics) and the demo's table.

#include <string>

#include "engine/hookfan.h"

namespace hookfan::tools {

std::string StatsToJson(const engine::EngineStats& stats);
std::string StatsToPrometheus(const engine::EngineStats& stats);
// A fixed-width table, one row per endpoint and a total row.
std::string StatsToTable(const engine::EngineStats& stats);

}  // namespace hookfan::tools
