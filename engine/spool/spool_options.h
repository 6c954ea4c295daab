#pragma once
// How the durable spool keeps accepted events (docs/durability.md). `serve` reads these from
// the `[spool]` table of its TOML file; the embedding API and `run`/`demo` default to memory.

#include <cstdint>
#include <string>

#include "net/base/clock.h"

namespace hookfan::engine {

enum class SpoolMode : unsigned char {
  kMemory,  // nothing on disk: a crash or a restart loses what was pending
  kDisk,    // an append-only log in `dir`; 202 means written under `fsync`
};

enum class FsyncPolicy : unsigned char {
  kBatch,   // group commit: one fsync per commit_interval for every request waiting
  kAlways,  // one fsync per commit, without waiting for company
  kNever,   // written to the OS, not synced: survives a process crash, not a power loss
};

struct SpoolOptions {
  SpoolMode mode = SpoolMode::kMemory;
  // Relative paths are relative to the working directory. Other stores that must survive a
  // restart (the API-made endpoints) live in this directory too.
  std::string dir = "hookfan-data";
  FsyncPolicy fsync = FsyncPolicy::kBatch;
  DurationMs commit_interval_ms = 2;
  // Disk budget of the log; at it, ingest answers 503 with Retry-After until space is freed.
  std::uint64_t max_bytes = std::uint64_t{10} << 30;
  // A segment is closed at this size; a closed one is deleted once all its events finished.
  std::uint64_t segment_bytes = std::uint64_t{64} << 20;
};

const char* SpoolModeName(SpoolMode mode);
const char* FsyncPolicyName(FsyncPolicy policy);

}  // namespace hookfan::engine
