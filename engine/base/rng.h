#pragma once
// Rng: a tiny seeded pseudo-random source (SplitMix64) for retry jitter. Each worker owns
// one; tests seed it so that jittered delays are reproducible. Not for anything secret
// (event ids and secrets use OpenSSL's RAND_bytes).
//
//   Rng rng(/*seed=*/42);
//   double u = rng.NextUnit();   // in [0, 1)
//
// Not thread-safe: one Rng per thread. A value type: copying it forks the sequence.
// Header-only on purpose: it is three instructions long and called once per retry.

#include <cstdint>

namespace hookfan::engine {

struct Rng {
  explicit Rng(std::uint64_t seed) : state(seed) {}

  // SplitMix64 (Steele, Lea, Flood 2014): passes BigCrush, any seed (even 0) is fine.
  std::uint64_t Next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, 1): the top 53 bits as a double's mantissa.
  double NextUnit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  std::uint64_t state;
};

}  // namespace hookfan::engine
