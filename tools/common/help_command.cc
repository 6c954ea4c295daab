// `hookfan help [COMMAND]`: the same text as `hookfan COMMAND --help` (or `hookfan --help`),
// for users who type help first.
#include <cstdio>
#include <memory>
#include <string>

#include "tools/common/commands.h"

namespace hookfan::tools {

void AddHelpCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("help", "Print the help of hookfan or of one command");
  auto wanted = std::make_shared<std::string>();
  command->add_option("command", *wanted, "a command, e.g. serve");
  command->callback([&app, wanted] {
    const std::string& name = *wanted;
    if (name.empty()) {
      // Not app.help(): that shows the selected subcommand, i.e. `help` itself.
      std::fputs(
          app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal).c_str(),
          stdout);
      return;
    }
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (sub->get_name() == name && name != "help") {
        std::fputs(sub->help(app.get_name()).c_str(), stdout);
        return;
      }
    }
    std::fprintf(stderr, "hookfan help: no command '%s' (hookfan --help lists them)\n",
                 name.c_str());
    throw CommandExit{2};
  });
}

}  // namespace hookfan::tools
