#include "engine/spool/spool_options.h"

namespace hookfan::engine {

const char* SpoolModeName(SpoolMode mode) { return mode == SpoolMode::kDisk ? "disk" : "memory"; }

const char* FsyncPolicyName(FsyncPolicy policy) {
  switch (policy) {
    case FsyncPolicy::kBatch:
      return "batch";
    case FsyncPolicy::kAlways:
      return "always";
    case FsyncPolicy::kNever:
      return "never";
  }
  return "batch";
}

}  // namespace hookfan::engine
