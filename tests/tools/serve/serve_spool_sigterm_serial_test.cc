// serve stopped with SIGTERM while 100,000 deliveries wait for a retry due in an hour, then
// restarted: all of them are still pending with their due time, and none is sent early.
// Serial: it makes 100,000 first attempts.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "tests/support/loopback_guard.h"
#include "tests/tools/serve/spool_serve.h"
#include "tests/tools/temp_files.h"

namespace hookfan {
namespace {

using test::AcceptedIds;
using test::Http;
using test::RecordingReceiver;
using test::SpoolServe;
using test::StatsNumber;
using test::WaitUntil;

constexpr int kEvents = 100'000;
constexpr int kBatch = 1000;

// A loopback port nobody listens on: every attempt to it fails at once (connection refused).
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string Config(const std::string& url) {
  return std::string(testing::kAllowLoopbackToml) +
         "[engine]\nworkers = 1\nshutdown_grace = \"2s\"\n"
         "[[endpoints]]\nid = \"a\"\nurl = \"" +
         url +
         "\"\nretry = { attempts = 5, initial_delay = \"1h\", multiplier = "
         "1.0, jitter = 0.0 }\n";
}

TEST(ServeSpoolSigtermTest, HundredThousandPendingRetriesSurviveARestartAndNoneIsSentEarly) {
  const std::string dir = test::MakeTempDir();
  SpoolServe serve(dir, Config("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/hook"));
  std::string body = "[";
  for (int i = 0; i < kBatch; ++i)
    body += std::string(i ? "," : "") + R"({"type":"t","payload":1})";
  body += "]";
  for (int posted = 0; posted < kEvents; posted += kBatch) {
    ASSERT_EQ(AcceptedIds(Http(serve.port(), "POST", "/v1/events", body)).size(),
              static_cast<std::size_t>(kBatch));
  }
  ASSERT_TRUE(WaitUntil(
      [&] {
        return StatsNumber(serve.port(), {"total", "pending_retries"}) == kEvents;
      },
      60000))
      << StatsNumber(serve.port(), {"total", "pending_retries"});
  ASSERT_EQ(serve.Term(), 0) << serve.stderr_text();
  EXPECT_NE(serve.stderr_text().find("100000 pending deliveries and 0 dead letters kept"),
            std::string::npos)
      << serve.stderr_text();

  // The same endpoint id now points at a live receiver: anything sent early would reach it.
  RecordingReceiver receiver;
  std::ofstream(dir + "/hookfan.toml") << Config(receiver.Url("/hook"));
  ASSERT_TRUE(serve.Start());
  EXPECT_NE(serve.stderr_text().find("recovered 100000 pending deliveries of 100000 events "
                                     "(100000 retries not yet due)"),
            std::string::npos)
      << serve.stderr_text();
  EXPECT_EQ(StatsNumber(serve.port(), {"total", "pending"}), kEvents);
  EXPECT_EQ(StatsNumber(serve.port(), {"total", "pending_retries"}), kEvents);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(receiver.total(), 0u) << "a retry due in an hour was sent after the restart";
  ASSERT_EQ(serve.Term(), 0);
  EXPECT_NE(serve.stderr_text().find("100000 pending deliveries and 0 dead letters kept"),
            std::string::npos)
      << serve.stderr_text();
}

}  // namespace
}  // namespace hookfan
