// packaging/hookfan.toml, the /etc/hookfan/hookfan.toml of the hookfan package: serve
// accepts it as shipped, and its spool stays inside the one directory the systemd unit may
// write (ReadWritePaths=/var/lib/hookfan in packaging/hookfan.service.in).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tools/common/serve_config.h"

namespace hookfan::tools {
namespace {

std::string ReadSource(const std::string& relative_path) {
  std::ifstream file(std::string(HOOKFAN_SOURCE_DIR) + "/" + relative_path, std::ios::binary);
  EXPECT_TRUE(file.good()) << relative_path;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(PackagedConfigTest, ServeAcceptsTheShippedConfig) {
  StatusOr<ServeConfig> config =
      LoadServeConfig(std::string(HOOKFAN_SOURCE_DIR) + "/packaging/hookfan.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->spool.mode, engine::SpoolMode::kDisk);
  EXPECT_TRUE(config->spool.dir.starts_with("/var/lib/hookfan/")) << config->spool.dir;
  EXPECT_TRUE(config->admin.state_dir.empty()) << "API-made endpoints go to the spool dir";
  EXPECT_EQ(config->ingest.listen, "127.0.0.1:8080");
  EXPECT_TRUE(config->endpoints.empty()) << "the example's endpoint stays commented out";
}

TEST(PackagedConfigTest, TheUnitRunsServeWithThatConfigAndMayWriteOnlyTheSpool) {
  const std::string unit = ReadSource("packaging/hookfan.service.in");
  EXPECT_NE(
      unit.find("ExecStart=@HOOKFAN_BIN@ serve --config @HOOKFAN_SYSCONF_DIR@/hookfan.toml\n"),
      std::string::npos);
  EXPECT_NE(unit.find("\nProtectSystem=strict\n"), std::string::npos);
  EXPECT_NE(unit.find("\nReadWritePaths=/var/lib/hookfan\n"), std::string::npos);
  EXPECT_NE(unit.find("\nUser=hookfan\n"), std::string::npos);
}

}  // namespace
}  // namespace hookfan::tools
