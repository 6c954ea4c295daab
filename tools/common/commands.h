#pragma once
// Each `hookfan` subcommand registers itself on the CLI11 app; main.cc only calls these.
// A command's callback returns through CommandExit so that main() owns process exit.

#include <CLI/CLI.hpp>
#include <string>

namespace hookfan::tools {

// Thrown by a command callback to end the process with `code` after cleanup. CLI parsing
// is an edge of the program, where exceptions are allowed (STYLE.md).
struct CommandExit {
  int code;
};

// "hookfan 0.1.0": the project's version (CMake's PROJECT_VERSION).
std::string VersionLine();

void AddVersionCommand(CLI::App& app);
void AddRunCommand(CLI::App& app);
void AddServeCommand(CLI::App& app);
void AddSinkCommand(CLI::App& app);
void AddBlastCommand(CLI::App& app);
void AddDemoCommand(CLI::App& app);
// Registered last: they read the other commands of `app` when they run.
void AddHelpCommand(CLI::App& app);
void AddCompletionCommand(CLI::App& app);

}  // namespace hookfan::tools
