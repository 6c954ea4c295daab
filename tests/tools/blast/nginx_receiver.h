#pragma once
// NginxReceiver (tests only): a real nginx (Debian's nginx-light, installed by tools/setup.sh)
// answering `return 200` on a loopback port, one process (master_process off), its config,
// logs and pid in a temporary directory removed on destruction. The peer receiver that
// blast's figures are compared against (bench/net/blast_vs_wrk.sh uses the same config).
//
//   NginxReceiver nginx;
//   ASSERT_TRUE(nginx.ok()) << nginx.error();
//   RunBlast(... nginx.Url() ...);

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/tools/child_process.h"

namespace hookfan::tools {

class NginxReceiver {
 public:
  static constexpr const char* kBinary = "/usr/sbin/nginx";

  NginxReceiver() {
    if (::access(kBinary, X_OK) != 0) {
      error_ = std::string(kBinary) + " is missing: run tools/setup.sh (nginx-light)";
      return;
    }
    char dir_template[] = "/tmp/hookfan_nginx_XXXXXX";
    if (::mkdtemp(dir_template) == nullptr) {
      error_ = "mkdtemp failed";
      return;
    }
    dir_ = dir_template;
    // A port just freed by the kernel may be taken by another test before nginx binds it:
    // try a few.
    for (int attempt = 0; attempt < 5 && port_ == 0; ++attempt) {
      const int port = FreePort();
      if (port == 0) continue;
      WriteConfig(port);
      process_ = std::make_unique<test::ChildProcess>(std::vector<std::string>{
          kBinary, "-p", dir_, "-e", dir_ + "/error.log", "-c", dir_ + "/nginx.conf"});
      if (WaitUntilListening(port)) {
        port_ = port;
      } else {
        process_.reset();
      }
    }
    if (port_ == 0) error_ = "nginx did not start: " + ReadFile(dir_ + "/error.log");
  }
  NginxReceiver(const NginxReceiver&) = delete;
  NginxReceiver& operator=(const NginxReceiver&) = delete;
  ~NginxReceiver() {
    process_.reset();  // SIGKILL and reap
    if (!dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
  }

  bool ok() const { return port_ != 0; }
  const std::string& error() const { return error_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

 private:
  static int FreePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port = ntohs(address.sin_port);
    }
    ::close(fd);
    return port;
  }

  static bool Connects(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool connected =
        ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
  }

  // Polls the port (nginx prints nothing when it is ready); bounded at 10 s.
  static bool WaitUntilListening(int port) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Connects(port)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  void WriteConfig(int port) const {
    std::ofstream(dir_ + "/nginx.conf")
        << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
        << "error_log " << dir_ << "/error.log warn;\npid " << dir_ << "/nginx.pid;\n"
        << "events { worker_connections 4096; }\n"
        << "http {\n  access_log off;\n  client_body_temp_path " << dir_ << "/body;\n"
        << "  keepalive_requests 100000000;\n  keepalive_timeout 120s;\n"
        << "  server {\n    listen 127.0.0.1:" << port << ";\n"
        << "    location / { return 200 \"ok\"; }\n  }\n}\n";
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  std::string dir_;
  std::string error_;
  int port_ = 0;
  std::unique_ptr<test::ChildProcess> process_;
};

}  // namespace hookfan::tools
