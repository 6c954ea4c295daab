// docs/embedding.md's example program: the doc shows it verbatim, and it builds and works.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/test_receiver.h"
#include "tests/tools/child_process.h"

namespace hookfan::engine {
namespace {

using hookfan::test::ChildProcess;
using hookfan::testing::ReceivedRequest;
using hookfan::testing::ReceiverReply;
using hookfan::testing::TestReceiver;

std::string ReadSource(const std::string& relative_path) {
  std::ifstream file(std::string(HOOKFAN_SOURCE_DIR) + "/" + relative_path, std::ios::binary);
  EXPECT_TRUE(file.good()) << relative_path;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(EmbeddingExampleTest, TheDocShowsTheExampleFileVerbatim) {
  const std::string example = ReadSource("docs/examples/embedding_example.cc");
  const std::string doc = ReadSource("docs/embedding.md");
  ASSERT_FALSE(example.empty());
  EXPECT_NE(doc.find("```cpp\n" + example + "```\n"), std::string::npos)
      << "docs/embedding.md must contain docs/examples/embedding_example.cc in a ```cpp block";
}

TEST(EmbeddingExampleTest, DeliversThreeSignedEventsAndExitsZero) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  ChildProcess example({EMBEDDING_EXAMPLE_BINARY, receiver.Url("/hooks")});
  ASSERT_EQ(example.Wait(), 0) << example.stdout_text() << example.stderr_text();
  ASSERT_EQ(receiver.count(), 3u);
  std::set<std::string> bodies;
  for (const ReceivedRequest& request : receiver.Requests()) {
    bodies.insert(request.body);
    EXPECT_EQ(request.target, "/hooks");
    EXPECT_TRUE(request.Header("webhook-signature").starts_with("v1,"));
  }
  EXPECT_EQ(bodies, (std::set<std::string>{R"({"order":1})", R"({"order":2})", R"({"order":3})"}));
  EXPECT_NE(example.stdout_text().find("delivered 3 of 3; 0 still pending at shutdown\n"),
            std::string::npos)
      << example.stdout_text();
}

TEST(EmbeddingExampleTest, ExitsNonZeroWhenTheReceiverFails) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{410}; });
  ChildProcess example({EMBEDDING_EXAMPLE_BINARY, receiver.Url("/hooks")});
  EXPECT_EQ(example.Wait(), 1) << example.stdout_text() << example.stderr_text();
  EXPECT_NE(example.stdout_text().find("delivered 0 of 3"), std::string::npos)
      << example.stdout_text();
}

TEST(EmbeddingExampleTest, UsageErrorWithoutAUrl) {
  ChildProcess example({EMBEDDING_EXAMPLE_BINARY});
  EXPECT_EQ(example.Wait(), 2);
  EXPECT_NE(example.stderr_text().find("usage: "), std::string::npos);
}

}  // namespace
}  // namespace hookfan::engine
