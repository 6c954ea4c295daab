#pragma once
// RawHttpClient (tests only): a blocking POSIX-socket client on 127.0.0.1 that sends exact
// bytes and reads HTTP/1.1 responses back, so tests control pipelining, fragmentation and
// malformed input precisely. Header-only: tests have no library to put a .cc in.
//
//   RawHttpClient client(port);
//   client.Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
//   std::optional<RawResponse> a = client.ReadResponse();   // nullopt: closed, reset, stuck
//   EXPECT_EQ(client.WaitForEnd(), RawHttpClient::End::kClosed);
//
// Every read has a safety timeout (10 s) so that a broken server fails the test instead of
// hanging it; no assertion depends on how long anything takes.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hookfan::test {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class RawHttpClient {
 public:
  enum class End { kClosed, kReset, kTimeout, kData };

  explicit RawHttpClient(int port, int timeout_seconds = 10) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{timeout_seconds, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  RawHttpClient(const RawHttpClient&) = delete;
  RawHttpClient& operator=(const RawHttpClient&) = delete;
  ~RawHttpClient() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool connected() const { return connected_; }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response (an interim 1xx too). `head_request`: the response has no body bytes
  // whatever its Content-Length says.
  std::optional<RawResponse> ReadResponse(bool head_request = false) {
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    RawResponse response;
    std::string_view head(buffer_.data(), head_end);
    size_t line_end = head.find("\r\n");
    std::string_view status_line = head.substr(0, line_end);
    if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") return std::nullopt;
    response.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
    while (line_end != std::string_view::npos) {
      size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      std::string_view line = head.substr(
          start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      response.headers[name] = std::string(value);
    }
    buffer_.erase(0, head_end + 4);
    size_t length = 0;
    if (!head_request && response.headers.count("content-length") > 0) {
      length = std::strtoul(response.headers["content-length"].c_str(), nullptr, 10);
    }
    while (buffer_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  // Waits until the server ends the connection (or sends more, or the safety timeout).
  End WaitForEnd() {
    if (!buffer_.empty()) return End::kData;
    char byte;
    ssize_t n = ::recv(fd_, &byte, 1, 0);
    if (n == 0) return End::kClosed;
    if (n > 0) {
      buffer_.push_back(byte);
      return End::kData;
    }
    if (errno == ECONNRESET) return End::kReset;
    return End::kTimeout;
  }

  // How the connection ended when ReadResponse returned nullopt.
  End last_end() const { return last_end_; }

  // Half-closes the sending side (the server sees EOF).
  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

 private:
  bool Fill() {
    char chunk[16 * 1024];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      last_end_ = n == 0 ? End::kClosed : errno == ECONNRESET ? End::kReset : End::kTimeout;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  End last_end_ = End::kData;
  std::string buffer_;
};

}  // namespace hookfan::test
