// The [spool] table of serve's TOML: its defaults (a disk spool in ./hookfan-data), every
// field, and errors naming the file, the line and the field.
#include <gtest/gtest.h>

#include <string>

#include "tools/common/serve_config.h"

namespace hookfan::tools {
namespace {

using engine::FsyncPolicy;
using engine::SpoolMode;

std::string ErrorOf(std::string_view text) {
  StatusOr<ServeConfig> config = ParseServeConfig(text, "hookfan.toml");
  if (config.ok()) return "(parsed without error)";
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message().find('\n'), std::string::npos) << "one line";
  return config.status().message();
}

TEST(ServeSpoolConfigTest, ServeDefaultsToADiskSpoolInTheWorkingDirectory) {
  StatusOr<ServeConfig> config = ParseServeConfig("", "empty.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->spool.mode, SpoolMode::kDisk);
  EXPECT_FALSE(config->spool_mode_set);
  EXPECT_EQ(config->spool.dir, "hookfan-data");
  EXPECT_EQ(config->spool.fsync, FsyncPolicy::kBatch);
  EXPECT_EQ(config->spool.commit_interval_ms, 2);
  EXPECT_EQ(config->spool.max_bytes, std::uint64_t{10} << 30);
  EXPECT_EQ(config->spool.segment_bytes, std::uint64_t{64} << 20);
  // The embedding API's own default is memory.
  EXPECT_EQ(engine::SpoolOptions{}.mode, SpoolMode::kMemory);
}

TEST(ServeSpoolConfigTest, ReadsEverySpoolField) {
  StatusOr<ServeConfig> config = ParseServeConfig(R"(
[spool]
dir = "/var/lib/hookfan"
mode = "disk"
fsync = "always"
commit_interval = "5ms"
max_bytes = "2GiB"
segment_bytes = 1048576
)",
                                                  "hookfan.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->spool.dir, "/var/lib/hookfan");
  EXPECT_EQ(config->spool.mode, SpoolMode::kDisk);
  EXPECT_TRUE(config->spool_mode_set);
  EXPECT_EQ(config->spool.fsync, FsyncPolicy::kAlways);
  EXPECT_EQ(config->spool.commit_interval_ms, 5);
  EXPECT_EQ(config->spool.max_bytes, std::uint64_t{2} << 30);
  EXPECT_EQ(config->spool.segment_bytes, 1u << 20);

  config = ParseServeConfig("[spool]\nmode = \"memory\"\nfsync = \"never\"\nmax_bytes = \"10GB\"\n",
                            "hookfan.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->spool.mode, SpoolMode::kMemory);
  EXPECT_EQ(config->spool.fsync, FsyncPolicy::kNever);
  EXPECT_EQ(config->spool.max_bytes, 10'000'000'000u);
}

TEST(ServeSpoolConfigTest, BadSpoolValuesNameTheirLineAndField) {
  EXPECT_EQ(ErrorOf("[spool]\nmode = \"disc\"\n"),
            "hookfan.toml:2: spool.mode: must be \"disk\" or \"memory\", got 'disc'");
  EXPECT_EQ(ErrorOf("[spool]\n\nfsync = \"sometimes\"\n"),
            "hookfan.toml:3: spool.fsync: must be \"batch\", \"always\" or \"never\", got "
            "'sometimes'");
  EXPECT_EQ(ErrorOf("[spool]\ndir = \"\"\n"), "hookfan.toml:2: spool.dir: must not be empty");
  EXPECT_EQ(ErrorOf("[spool]\ndir = 3\n"), "hookfan.toml:2: spool.dir: must be a string");
  EXPECT_EQ(ErrorOf("[spool]\ncommit_interval = \"2 fortnights\"\n"),
            "hookfan.toml:2: spool.commit_interval: '2 fortnights' is not a duration (use e.g. "
            "250ms, 5s, 2m, 1h)");
  EXPECT_EQ(ErrorOf("[spool]\ncommit_interval = \"5s\"\n"),
            "hookfan.toml:2: spool.commit_interval: must be at most 1s (every 202 waits for it)");
  EXPECT_EQ(ErrorOf("[spool]\nmax_bytes = \"lots\"\n"),
            "hookfan.toml:2: spool.max_bytes: 'lots' is not a size (use bytes or e.g. 64KiB, "
            "512MiB, 10GB)");
  EXPECT_EQ(ErrorOf("[spool]\nmax_bytes = -1\n"),
            "hookfan.toml:2: spool.max_bytes: must not be negative");
  EXPECT_EQ(ErrorOf("[spool]\nsegment_bytes = 100\n"),
            "hookfan.toml:2: spool.segment_bytes: must be at least 65536 bytes, got 100");
  EXPECT_EQ(ErrorOf("[spool]\nsegment_bytes = \"64MiB\"\nmax_bytes = \"100MiB\"\n"),
            "hookfan.toml:3: spool.max_bytes: max_bytes must be at least twice segment_bytes "
            "(104857600 < 2 x 67108864)");
  EXPECT_EQ(ErrorOf("[spool]\nfsycn = \"never\"\n"), "hookfan.toml:2: spool.fsycn: unknown field");
  EXPECT_EQ(ErrorOf("spool = \"x\"\n"), "hookfan.toml:1: spool: must be a table");
}

}  // namespace
}  // namespace hookfan::tools
