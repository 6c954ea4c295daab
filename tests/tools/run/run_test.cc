// `hookfan run` end to end: the real binary reads NDJSON events, delivers them to a scripted
// receiver in this process, and prints a JSON summary.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <string>

#include "tests/support/loopback_guard.h"
#include "tests/support/test_receiver.h"
#include "tests/tools/child_process.h"
#include "tests/tools/temp_files.h"

namespace hookfan::tools {
namespace {

using hookfan::test::ChildProcess;
using hookfan::test::WriteTempFile;
using hookfan::testing::kAllowLoopbackToml;
using hookfan::testing::ReceivedRequest;
using hookfan::testing::ReceiverReply;
using hookfan::testing::TestReceiver;

constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// Two signed endpoints: "all" gets every event, "orders" only order.*.
std::string ConfigFile(const TestReceiver& receiver) {
  const std::string secret = std::string("secret = \"") + kSecret + "\"\n";
  return WriteTempFile("hookfan.toml",
                       std::string(kAllowLoopbackToml) +
                           "[engine]\nworkers = 2\n\n[[endpoints]]\nid = \"all\"\n" + secret +
                           "url = \"" + receiver.Url("/all") + "\"\n\n" +
                           "[[endpoints]]\nid = \"orders\"\n" + secret + "url = \"" +
                           receiver.Url("/orders") + "\"\nevent_types = [\"order.*\"]\n");
}

constexpr char kEvents[] = R"({"id":"e1","type":"order.paid","payload":{"n":1}})"
                           "\n"
                           R"({"id":"e2","type":"user.created","payload":[1, 2]})"
                           "\r\n"
                           "\n"
                           R"({"id":"e3","type":"order.refunded","payload":"x"})"
                           "\n";

// The run summary printed on stdout, as JSON.
struct Summary {
  uint64_t events = 0, endpoints = 0, delivered = 0, dead_lettered = 0, still_pending = 0;
};

Summary ParseSummary(const std::string& out) {
  Summary summary;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_FALSE(parser.parse(out).get(root)) << out;
  EXPECT_FALSE(root["events"].get(summary.events)) << out;
  EXPECT_FALSE(root["endpoints"].get(summary.endpoints)) << out;
  EXPECT_FALSE(root["delivered"].get(summary.delivered)) << out;
  EXPECT_FALSE(root["dead_lettered"].get(summary.dead_lettered)) << out;
  EXPECT_FALSE(root["still_pending"].get(summary.still_pending)) << out;
  double elapsed = -1;
  EXPECT_FALSE(root["elapsed_s"].get(elapsed)) << out;
  EXPECT_GE(elapsed, 0);
  return summary;
}

std::set<std::string> Received(const TestReceiver& receiver) {
  std::set<std::string> out;
  for (const ReceivedRequest& r : receiver.Requests()) {
    out.insert(r.target + " " + r.Header("webhook-id") + " " + r.body);
  }
  return out;
}

const std::set<std::string> kAllDeliveries = {
    R"(/all e1 {"n":1})",    R"(/all e2 [1, 2])", R"(/all e3 "x")",
    R"(/orders e1 {"n":1})", R"(/orders e3 "x")",
};

TEST(RunTest, DeliversEveryEventFromAFileAndPrintsASummary) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  const std::string config = ConfigFile(receiver);
  const std::string input = WriteTempFile("events.ndjson", kEvents);
  ChildProcess run({HOOKFAN_BINARY, "run", "--config", config, "--input", input});
  ASSERT_EQ(run.Wait(), 0) << run.stderr_text();
  Summary summary = ParseSummary(run.stdout_text());
  EXPECT_EQ(summary.events, 3u);
  EXPECT_EQ(summary.endpoints, 2u);
  EXPECT_EQ(summary.delivered, 5u);
  EXPECT_EQ(summary.dead_lettered, 0u);
  EXPECT_EQ(summary.still_pending, 0u);
  EXPECT_EQ(Received(receiver), kAllDeliveries);
  EXPECT_EQ(receiver.count(), 5u);
}

// The summary's top-level keys, in order, are the `required` list of docs/run.md's schema.
TEST(RunTest, SummaryHasExactlyTheFieldsOfTheDocumentedSchema) {
  std::ifstream doc(std::string(HOOKFAN_SOURCE_DIR) + "/docs/run.md");
  const std::string text((std::istreambuf_iterator<char>(doc)), std::istreambuf_iterator<char>());
  const std::size_t start = text.find("\"required\": [");
  ASSERT_NE(start, std::string::npos);
  const std::string list = text.substr(start, text.find(']', start) - start);
  std::vector<std::string> documented;
  for (std::size_t at = list.find('"', 12); at != std::string::npos;
       at = list.find('"', list.find('"', at + 1) + 1)) {
    documented.push_back(list.substr(at + 1, list.find('"', at + 1) - at - 1));
  }

  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  ChildProcess run({HOOKFAN_BINARY, "run", "--config", ConfigFile(receiver), "--input", "-"});
  ASSERT_TRUE(run.WriteStdin(kEvents));
  run.CloseStdin();
  ASSERT_EQ(run.Wait(), 0) << run.stderr_text();
  simdjson::dom::parser parser;
  simdjson::dom::object summary;
  ASSERT_FALSE(parser.parse(run.stdout_text()).get(summary)) << run.stdout_text();
  std::vector<std::string> printed;
  for (auto field : summary) printed.emplace_back(field.key);
  EXPECT_EQ(printed, documented);
}

TEST(RunTest, ReadsStandardInput) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  const std::string config = ConfigFile(receiver);
  ChildProcess run({HOOKFAN_BINARY, "run", "--config", config, "--input", "-"});
  ASSERT_TRUE(run.WriteStdin(kEvents));
  run.CloseStdin();
  ASSERT_EQ(run.Wait(), 0) << run.stderr_text();
  Summary summary = ParseSummary(run.stdout_text());
  EXPECT_EQ(summary.events, 3u);
  EXPECT_EQ(summary.delivered, 5u);
  EXPECT_EQ(Received(receiver), kAllDeliveries);
}

TEST(RunTest, DeadLettersAreCounted) {
  TestReceiver receiver(
      [](const ReceivedRequest& r) { return ReceiverReply{r.target == "/orders" ? 500 : 200}; });
  const std::string config = WriteTempFile(
      "hookfan.toml", std::string(kAllowLoopbackToml) + "[[endpoints]]\nid = \"all\"\nurl = \"" +
                          receiver.Url("/all") +
                          "\"\nsigning = \"none\"\n\n[[endpoints]]\nid = \"orders\"\nurl = \"" +
                          receiver.Url("/orders") +
                          "\"\nsigning = \"none\"\nevent_types = [\"order.*\"]\n"
                          "retry = { delays = [\"1ms\"] }\n");
  const std::string input = WriteTempFile("events.ndjson", kEvents);
  ChildProcess run({HOOKFAN_BINARY, "run", "--config", config, "--input", input});
  // docs/run.md: 1 when some delivery was dead-lettered (it used to exit 0).
  ASSERT_EQ(run.Wait(), 1) << run.stderr_text();
  Summary summary = ParseSummary(run.stdout_text());
  EXPECT_EQ(summary.delivered, 3u);
  EXPECT_EQ(summary.dead_lettered, 2u);  // e1 and e3, each after 2 attempts
  EXPECT_EQ(receiver.count(), 3u + 4u);
}

TEST(RunTest, MaxWaitRunningOutWithDeliveriesPendingExitsThree) {
  // The receiver holds every request until the run has given up on it.
  std::mutex mutex;
  std::condition_variable changed;
  bool released = false;
  TestReceiver receiver([&](const ReceivedRequest&) {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return released; });
    return ReceiverReply{200};
  });
  const std::string config =
      WriteTempFile("hookfan.toml",
                    std::string(kAllowLoopbackToml) +
                        "[engine]\nworkers = 1\n[[endpoints]]\nid = \"slow\"\nsigning = \"none\"\n"
                        "url = \"" +
                        receiver.Url() + "\"\n");
  ChildProcess run(
      {HOOKFAN_BINARY, "run", "--config", config, "--input", "-", "--max-wait", "0.2"});
  ASSERT_TRUE(run.WriteStdin(R"({"type":"a","payload":1})"
                             "\n"));
  run.CloseStdin();
  const int code = run.Wait();
  {
    std::lock_guard<std::mutex> lock(mutex);
    released = true;
    changed.notify_all();
  }
  EXPECT_EQ(code, 3) << run.stderr_text();
  Summary summary = ParseSummary(run.stdout_text());
  EXPECT_EQ(summary.events, 1u);
  EXPECT_EQ(summary.delivered, 0u);
  EXPECT_EQ(summary.still_pending, 1u);
}

TEST(RunTest, MalformedLineIsNamedAndEarlierEventsAreStillDelivered) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  const std::string config = ConfigFile(receiver);
  const std::string input = WriteTempFile(
      "events.ndjson", std::string(R"({"id":"e1","type":"order.paid","payload":1})") + "\n\n" +
                           R"({"id":"e2","type":"order.paid","payload":)" + "\n" +
                           R"({"id":"e3","type":"order.paid","payload":3})" + "\n");
  ChildProcess run({HOOKFAN_BINARY, "run", "--config", config, "--input", input});
  EXPECT_EQ(run.Wait(), 2);
  const std::string expected_prefix = "hookfan run: " + input + ": line 3: malformed JSON";
  EXPECT_TRUE(run.stderr_text().starts_with(expected_prefix)) << run.stderr_text();
  EXPECT_EQ(std::count(run.stderr_text().begin(), run.stderr_text().end(), '\n'), 1);
  Summary summary = ParseSummary(run.stdout_text());
  EXPECT_EQ(summary.events, 1u);
  EXPECT_EQ(summary.delivered, 2u);
  EXPECT_EQ(Received(receiver),
            (std::set<std::string>{"/all e1 1", "/orders e1 1"}));  // e3 is never read
}

TEST(RunTest, InvalidEventNamesLineAndField) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  const std::string config = ConfigFile(receiver);
  ChildProcess run({HOOKFAN_BINARY, "run", "--config", config, "--input", "-"});
  ASSERT_TRUE(run.WriteStdin("{\"type\":\"a\",\"payload\":1}\n{\"payload\":2}\n"));
  run.CloseStdin();
  EXPECT_EQ(run.Wait(), 2);
  EXPECT_EQ(run.stderr_text(), "hookfan run: -: line 2: event.type: missing\n");
  EXPECT_EQ(ParseSummary(run.stdout_text()).delivered, 1u);
}

TEST(RunTest, MissingInputFileExitsTwo) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  const std::string config = ConfigFile(receiver);
  ChildProcess run({HOOKFAN_BINARY, "run", "--config", config, "--input", "/nonexistent.ndjson"});
  EXPECT_EQ(run.Wait(), 2);
  EXPECT_EQ(run.stderr_text(), "hookfan run: /nonexistent.ndjson: cannot open the input file\n");
  EXPECT_EQ(receiver.count(), 0u);
}

TEST(RunTest, BadConfigExitsTwoNamingFileLineAndField) {
  const std::string config =
      WriteTempFile("bad.toml",
                    "[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\n"
                    "signing = \"none\"\nmax_in_flight = 0\n");
  ChildProcess run({HOOKFAN_BINARY, "run", "--config", config, "--input", "-"});
  run.CloseStdin();
  EXPECT_EQ(run.Wait(), 2);
  EXPECT_EQ(run.stderr_text(), "hookfan run: " + config +
                                   ":5: endpoints[0].max_in_flight: must be between 1 and "
                                   "10000, got 0\n");
}

}  // namespace
}  // namespace hookfan::tools
