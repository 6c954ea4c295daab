#pragma once
// ChildProcess (tests only): runs a command (usually HOOKFAN_BINARY) with pipes on stdin,
// stdout and stderr, so a test can read what it prints line by line while it runs, signal
// it, and collect its exit code. Header-only: tests have no library to put a .cc in.
//
//   ChildProcess serve({HOOKFAN_BINARY, "serve", "--config", path}, MakeTempDir());
//   std::optional<std::string> line = serve.ReadStdoutLine();   // nullopt: EOF or stuck
//   serve.Signal(SIGTERM);
//   int code = serve.Wait();                 // exit status; 128+N when killed by signal N
//   EXPECT_NE(serve.stdout_text().find("stopped"), std::string::npos);
//
// Every read has a safety timeout (10 s) so that a stuck child fails the test instead of
// hanging it (the child is then killed); no assertion depends on how long anything takes.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hookfan::test {

class ChildProcess {
 public:
  // `working_dir`: where the child runs (empty: the test's own). `serve` keeps its spool in
  // hookfan-data relative to it, locked: each serve of a test needs a directory of its own.
  explicit ChildProcess(std::vector<std::string> argv, const std::string& working_dir = {}) {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 ||
        ::pipe2(err, O_CLOEXEC) != 0) {
      return;
    }
    // Built before fork: the child of a threaded process must not allocate.
    std::vector<char*> args;
    for (std::string& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    ::signal(SIGPIPE, SIG_IGN);  // a child that exits early must not kill the test
    pid_ = ::fork();
    if (pid_ == 0) {
      if (!working_dir.empty() && ::chdir(working_dir.c_str()) != 0) ::_exit(126);
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::dup2(err[1], 2);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    stderr_ = err[0];
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    for (int fd : {stdin_, stdout_, stderr_}) {
      if (fd >= 0) ::close(fd);
    }
  }

  bool started() const { return pid_ > 0; }

  bool WriteStdin(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(stdin_, bytes.data(), bytes.size());
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  void CloseStdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }

  // The next line of stdout (without '\n'); nullopt at EOF or after the safety timeout.
  std::optional<std::string> ReadStdoutLine() {
    while (true) {
      const size_t newline = out_.find('\n', out_consumed_);
      if (newline != std::string::npos) {
        std::string line = out_.substr(out_consumed_, newline - out_consumed_);
        out_consumed_ = newline + 1;
        return line;
      }
      if (!Pump(/*until_stdout_eof=*/false)) return std::nullopt;
    }
  }

  void Signal(int signum) { ::kill(pid_, signum); }

  // Reads stdout and stderr to EOF, then reaps the child: its exit status, 128+N when signal
  // N killed it, -1 when it had to be killed after the safety timeout.
  int Wait() {
    while (stdout_ >= 0 || stderr_ >= 0) {
      if (!Pump(/*until_stdout_eof=*/true)) break;
    }
    bool timed_out = stdout_ >= 0 || stderr_ >= 0;
    if (timed_out) ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exited_ = true;
    if (timed_out) return -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
  }

  // Everything read so far (all of it after Wait).
  const std::string& stdout_text() const { return out_; }
  const std::string& stderr_text() const { return err_; }

 private:
  // One poll over the open output pipes; false on timeout or when nothing is left to read.
  bool Pump(bool until_stdout_eof) {
    pollfd fds[2];
    int count = 0;
    if (stdout_ >= 0) fds[count++] = {stdout_, POLLIN, 0};
    if (stderr_ >= 0) fds[count++] = {stderr_, POLLIN, 0};
    if (count == 0) return false;
    if (!until_stdout_eof && stdout_ < 0) return false;
    int ready;
    do {
      ready = ::poll(fds, static_cast<nfds_t>(count), 10'000);
    } while (ready < 0 && errno == EINTR);
    if (ready <= 0) return false;
    for (int i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      int& fd = fds[i].fd == stdout_ ? stdout_ : stderr_;
      std::string& sink = fds[i].fd == stdout_ ? out_ : err_;
      char chunk[4096];
      const ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n > 0) {
        sink.append(chunk, static_cast<size_t>(n));
      } else {
        ::close(fd);
        fd = -1;
      }
    }
    return true;
  }

  pid_t pid_ = -1;
  bool exited_ = false;
  int stdin_ = -1;
  int stdout_ = -1;
  int stderr_ = -1;
  std::string out_;
  size_t out_consumed_ = 0;
  std::string err_;
};

}  // namespace hookfan::test
