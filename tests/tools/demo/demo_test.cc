// Runs the real `hookfan demo` binary briefly and checks what it reports.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>

#include <cstdio>
#include <set>
#include <string>

namespace hookfan::tools {
namespace {

struct ProcessResult {
  int exit_code = -1;
  std::string output;
};

// `2>&1` when `merge_stderr`, so the test sees error lines too.
ProcessResult RunHookfan(const std::string& args, bool merge_stderr) {
  const std::string command =
      std::string(HOOKFAN_BINARY) + " " + args + (merge_stderr ? " 2>&1" : "");
  ProcessResult run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0) run.output.append(chunk, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(DemoCommandTest, JsonSummaryShowsTheFiveSystemsAndTheFailingSinksRetries) {
  ProcessResult run = RunHookfan("demo --duration 2s --rate 1000 --json --no-progress", false);
  ASSERT_EQ(run.exit_code, 0) << run.output;

  simdjson::dom::parser parser;
  simdjson::padded_string padded(run.output);
  simdjson::dom::object summary;
  ASSERT_EQ(parser.parse(padded).get(summary), simdjson::SUCCESS) << run.output;

  simdjson::dom::object stats;
  ASSERT_EQ(summary["stats"].get(stats), simdjson::SUCCESS);
  uint64_t total_delivered = 0;
  ASSERT_EQ(stats["total"]["delivered"].get(total_delivered), simdjson::SUCCESS);
  EXPECT_GT(total_delivered, 0u);

  std::set<std::string> ids;
  simdjson::dom::array endpoints;
  ASSERT_EQ(stats["endpoints"].get(endpoints), simdjson::SUCCESS);
  for (simdjson::dom::element endpoint : endpoints) {
    std::string_view id;
    ASSERT_EQ(endpoint["id"].get(id), simdjson::SUCCESS);
    ids.insert(std::string(id));
    uint64_t delivered = 0;
    ASSERT_EQ(endpoint["delivered"].get(delivered), simdjson::SUCCESS);
    EXPECT_GT(delivered, 0u) << id;
    uint64_t failed_attempts = 0;
    ASSERT_EQ(endpoint["failed_attempts"].get(failed_attempts), simdjson::SUCCESS);
    // ionic delivers to the sink that fails 30% of requests.
    if (id == "ionic") {
      EXPECT_GT(failed_attempts, 0u);
    }
  }
  EXPECT_EQ(ids, (std::set<std::string>{"ionic", "pryv", "novu", "cleverpush", "passworks"}));

  // The sink behind cleverpush verifies Standard Webhooks signatures: all of them matched.
  simdjson::dom::array sinks;
  ASSERT_EQ(summary["sinks"].get(sinks), simdjson::SUCCESS);
  bool saw_checked = false;
  for (simdjson::dom::element sink : sinks) {
    std::string_view name;
    ASSERT_EQ(sink["name"].get(name), simdjson::SUCCESS);
    if (name != "checked") continue;
    saw_checked = true;
    uint64_t bad_signatures = 1;
    ASSERT_EQ(sink["bad_signatures"].get(bad_signatures), simdjson::SUCCESS);
    EXPECT_EQ(bad_signatures, 0u);
    uint64_t ok = 0;
    ASSERT_EQ(sink["status"]["200"].get(ok), simdjson::SUCCESS);
    EXPECT_GT(ok, 0u);
  }
  EXPECT_TRUE(saw_checked);
}

TEST(DemoCommandTest, BadDurationExitsTwoNamingTheFlag) {
  ProcessResult run = RunHookfan("demo --duration 5parsecs --no-progress", true);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("--duration"), std::string::npos) << run.output;
}

TEST(DemoCommandTest, RateOutOfRangeExitsTwoNamingTheFlag) {
  ProcessResult run = RunHookfan("demo --rate 0 --no-progress", true);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("--rate"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace hookfan::tools
