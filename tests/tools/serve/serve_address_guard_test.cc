// `hookfan serve`'s outbound address guard (issue 10): on by default, so an endpoint on
// loopback is refused unless `[http] allow_cidrs` lets it through, with the refused address
// and the rule in the attempt log and the endpoint's last error; a bad allow_cidrs entry
// stops serve before any traffic. The real binary; the only socket is on loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include "tests/net/raw_http_client.h"
#include "tests/tools/child_process.h"
#include "tests/tools/temp_files.h"

namespace hookfan::tools {
namespace {

using hookfan::test::ChildProcess;
using hookfan::test::MakeTempDir;
using hookfan::test::RawHttpClient;
using hookfan::test::RawResponse;
using hookfan::test::WriteTempFile;

RawResponse Get(int port, const std::string& path) {
  RawHttpClient client(port);
  EXPECT_TRUE(client.connected());
  EXPECT_TRUE(client.Send("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  return client.ReadResponse().value_or(RawResponse{});
}

int ListeningPort(ChildProcess& serve) {
  const std::optional<std::string> line = serve.ReadStdoutLine();
  constexpr std::string_view kPrefix = "hookfan serve: listening on 127.0.0.1:";
  EXPECT_TRUE(line && line->starts_with(kPrefix)) << line.value_or("") << serve.stderr_text();
  return line && line->starts_with(kPrefix) ? std::atoi(line->c_str() + kPrefix.size()) : 0;
}

// A listening socket on 127.0.0.1 that nobody accepts from: whether the client connected
// shows as a pending connection in its backlog.
class WatchedListener {
 public:
  WatchedListener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~WatchedListener() { close(fd_); }
  int port() const { return port_; }
  bool SomeoneConnected() const {
    const int accepted = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK);
    if (accepted >= 0) close(accepted);
    return accepted >= 0;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(ServeAddressGuardTest, LoopbackIsRefusedWhenNotAllowListed) {
  WatchedListener receiver;
  const std::string url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook";
  const std::string path = WriteTempFile("hookfan.toml",
                                         "[[endpoints]]\nid = \"orders\"\nsigning = "
                                         "\"none\"\nurl = \"" +
                                             url + "\"\n");
  ChildProcess serve({HOOKFAN_BINARY, "serve", "--config", path, "--listen", "127.0.0.1:0"},
                     MakeTempDir());
  const int port = ListeningPort(serve);
  ASSERT_GT(port, 0);
  const std::string body = R"({"type":"order.paid","payload":{"n":1}})";
  RawHttpClient client(port);
  ASSERT_TRUE(client.Send("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body));
  ASSERT_EQ(client.ReadResponse().value_or(RawResponse{}).status, 202);

  // The attempt is recorded with its typed error and the address and rule that refused it.
  simdjson::dom::parser parser;
  simdjson::dom::element attempt;
  for (int i = 0; i < 5000; ++i) {
    const RawResponse attempts = Get(port, "/v1/endpoints/orders/attempts");
    simdjson::dom::element root;
    simdjson::dom::array list;
    if (attempts.status == 200 && !parser.parse(attempts.body).get(root) &&
        !root["attempts"].get(list) && list.size() > 0) {
      attempt = list.at(0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(attempt.is_object()) << "no attempt recorded";
  EXPECT_EQ(std::string_view(attempt["error"].get_string()), "address_not_allowed");
  EXPECT_EQ(std::string_view(attempt["error_detail"].get_string()),
            "127.0.0.1 refused by loopback 127.0.0.0/8");
  EXPECT_TRUE(attempt["status"].is_null());

  // The endpoint's last error says the same; a refusal is final (dead-lettered at once).
  const RawResponse stats = Get(port, "/v1/stats");
  simdjson::dom::element root;
  ASSERT_FALSE(parser.parse(stats.body).get(root)) << stats.body;
  simdjson::dom::element endpoint = root["endpoints"].at(0);
  EXPECT_EQ(std::string_view(endpoint["last_error"].get_string()),
            "address_not_allowed: 127.0.0.1 refused by loopback 127.0.0.0/8");
  EXPECT_EQ(uint64_t(endpoint["dead_lettered"].get_uint64()), 1u);
  EXPECT_FALSE(receiver.SomeoneConnected()) << "the guard refuses before connecting";

  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0) << serve.stderr_text();
  EXPECT_NE(serve.stderr_text().find("\"address_guard\":\"public addresses only\""),
            std::string::npos)
      << "the start log says the guard is on: " << serve.stderr_text();
}

TEST(ServeAddressGuardTest, BadAllowCidrExitsTwoNamingFileLineAndField) {
  const std::string path =
      WriteTempFile("hookfan.toml",
                    "[spool]\nmode = \"memory\"\n[http]\nallow_cidrs = [\"127.0.0.0/8\",\n"
                    "  \"10.0.0.0/33\"]\n");
  ChildProcess serve({HOOKFAN_BINARY, "serve", "--config", path, "--listen", "127.0.0.1:0"},
                     MakeTempDir());
  EXPECT_EQ(serve.Wait(), 2);
  EXPECT_EQ(serve.stderr_text(), "hookfan serve: " + path +
                                     ":5: http.allow_cidrs[1]: '10.0.0.0/33': prefix length "
                                     "must be 0..32\n");
  EXPECT_EQ(serve.stdout_text(), "") << "nothing may start";
}

}  // namespace
}  // namespace hookfan::tools
