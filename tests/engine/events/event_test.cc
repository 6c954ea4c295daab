#include "engine/events/event.h"

#include <gtest/gtest.h>

#include <set>

namespace hookfan::engine {
namespace {

TEST(EventTest, GeneratedIdsAreUniqueAndWellFormed) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) {
    std::string id = GenerateEventId();
    ASSERT_EQ(id.size(), 30u);
    ASSERT_EQ(id.substr(0, 4), "msg_");
    for (char c : id.substr(4))
      ASSERT_NE(std::string_view("0123456789ABCDEFGHJKMNPQRSTVWXYZ").find(c),
                std::string_view::npos);
    ids.insert(std::move(id));
  }
  EXPECT_EQ(ids.size(), 10000u);
}

TEST(EventTest, IdsSortByCreationTime) {
  std::string first = GenerateEventId();
  // The 48-bit millisecond prefix is the first 10 characters after "msg_".
  std::string later;
  do later = GenerateEventId();
  while (later.substr(4, 10) == first.substr(4, 10));
  EXPECT_LT(first.substr(4, 10), later.substr(4, 10));
}

TEST(EventTest, MakeEventKeepsGivenIdOrGeneratesOne) {
  EventPtr given = MakeEvent("pass.created", "{}", "evt_1");
  EXPECT_EQ(given->id, "evt_1");
  EXPECT_EQ(given->type, "pass.created");
  EXPECT_GT(given->received_unix_ms, 0);
  EventPtr generated = MakeEvent("pass.created", "{}");
  EXPECT_EQ(generated->id.substr(0, 4), "msg_");
}

}  // namespace
}  // namespace hookfan::engine
