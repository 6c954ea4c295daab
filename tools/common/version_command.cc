#include <cstdio>

#include "tools/common/commands.h"

namespace hookfan::tools {

std::string VersionLine() { return std::string("hookfan ") + HOOKFAN_VERSION; }

void AddVersionCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("version", "Print hookfan's version");
  command->callback([] { std::printf("%s\n", VersionLine().c_str()); });
}

}  // namespace hookfan::tools
