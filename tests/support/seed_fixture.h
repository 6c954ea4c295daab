#pragma once
// Shared by the seed-system tests: the systems' example payloads (tests/data/seeds/) and an
// engine whose outcomes go to an OutcomeLog.

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "engine/hookfan.h"
#include "net/base/check.h"
#include "tests/support/loopback_guard.h"
#include "tests/support/outcome_log.h"

namespace hookfan::testing {

inline std::string SeedPayload(const std::string& name) {
  std::ifstream file(std::string(HOOKFAN_SOURCE_DIR) + "/tests/data/seeds/" + name,
                     std::ios::binary);
  HOOKFAN_CHECK(file.good());
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

inline std::unique_ptr<engine::Engine> StartSeedEngine(OutcomeLog* log, std::uint64_t seed,
                                                       double retry_scale = 1.0) {
  engine::EngineConfig config;
  config.workers = 2;
  config.seed = seed;
  config.retry_scale = retry_scale;
  config.http.connect_timeout = 2000;
  config.http.response_timeout = 5000;
  config.http.total_timeout = 10000;
  config.http.address_policy = LoopbackAllowedPolicy();  // the guard on, as in serve
  config.on_outcome = log->Callback();
  auto engine = engine::Engine::Start(std::move(config));
  HOOKFAN_CHECK(engine.ok());
  return std::move(*engine);
}

}  // namespace hookfan::testing
