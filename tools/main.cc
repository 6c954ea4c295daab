// The `hookfan` command: parses the command line and runs one subcommand.
#include <cstdio>

#include "tools/common/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"hookfan: a high-throughput webhook fan-out engine"};
  app.require_subcommand(1);
  // `hookfan --version` as well as `hookfan version`: the same line.
  app.set_version_flag("--version", hookfan::tools::VersionLine());
  hookfan::tools::AddRunCommand(app);
  hookfan::tools::AddServeCommand(app);
  hookfan::tools::AddVersionCommand(app);
  hookfan::tools::AddSinkCommand(app);
  hookfan::tools::AddBlastCommand(app);
  hookfan::tools::AddDemoCommand(app);
  hookfan::tools::AddHelpCommand(app);
  hookfan::tools::AddCompletionCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // Bad usage: one clear line and exit code 2 (help exits 0).
    return app.exit(error) == 0 ? 0 : 2;
  } catch (const hookfan::tools::CommandExit& exit) {
    return exit.code;
  }
  return 0;
}
