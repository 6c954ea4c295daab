#include <cstdio>

#include "tools/common/commands.h"

namespace hookfan::tools {

void AddVersionCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("version", "Print hookfan's version");
  command->callback([] { std::printf("hookfan 0.1.0\n"); });
}

}  // namespace hookfan::tools
