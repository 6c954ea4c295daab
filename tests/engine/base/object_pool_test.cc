#include "engine/base/object_pool.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace hookfan::engine {
namespace {

struct Record {
  explicit Record(int v) : value(v), text(std::to_string(v)) {}
  int value;
  std::string text;  // owns heap memory: ASan proves Release destroys it
};

TEST(ObjectPoolTest, AcquireConstructsAndReleaseReusesSlots) {
  ObjectPool<Record, 4> pool;
  Record* a = pool.Acquire(1);
  EXPECT_EQ(a->value, 1);
  EXPECT_EQ(a->text, "1");
  EXPECT_EQ(pool.live(), 1u);
  pool.Release(a);
  EXPECT_EQ(pool.live(), 0u);
  Record* b = pool.Acquire(2);
  EXPECT_EQ(b, a);  // most recently released slot first: warm in cache
  EXPECT_EQ(b->text, "2");
  pool.Release(b);
}

TEST(ObjectPoolTest, GrowsBySlabsAndKeepsObjectsDistinct) {
  ObjectPool<Record, 4> pool;
  std::vector<Record*> records;
  std::set<Record*> distinct;
  for (int i = 0; i < 10; ++i) {
    records.push_back(pool.Acquire(i));
    distinct.insert(records.back());
  }
  EXPECT_EQ(distinct.size(), 10u);
  EXPECT_EQ(pool.capacity(), 12u);  // three slabs of four
  for (int i = 0; i < 10; ++i) EXPECT_EQ(records[static_cast<size_t>(i)]->value, i);
  for (Record* r : records) pool.Release(r);
  EXPECT_EQ(pool.live(), 0u);
}

}  // namespace
}  // namespace hookfan::engine
