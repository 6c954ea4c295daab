#include "tools/sink/sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "tests/net/loop_thread.h"
#include "tests/net/raw_http_client.h"

namespace hookfan::tools {
namespace {

using test::LoopThread;
using test::RawHttpClient;
using test::RawResponse;

// whsec_ + base64("a test key of 24 bytes..")
constexpr char kKey[] = "a test key of 24 bytes..";
constexpr char kSecret[] = "whsec_YSB0ZXN0IGtleSBvZiAyNCBieXRlcy4u";

std::string Base64(const unsigned char* data, size_t length) {
  std::string out(4 * ((length + 2) / 3) + 1, '\0');
  int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(length));
  out.resize(static_cast<size_t>(written));
  return out;
}

// Computed here with OpenSSL directly, independently of the code under test.
std::string Sign(const std::string& id, const std::string& timestamp, const std::string& body) {
  std::string message = id + "." + timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), kKey, sizeof(kKey) - 1, reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), mac, &mac_length);
  return "v1," + Base64(mac, mac_length);
}

std::string Post(const std::string& body, const std::string& headers = "") {
  return "POST /hook HTTP/1.1\r\nHost: sink\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n" + headers + "\r\n" + body;
}

std::string WebhookPost(const std::string& id, const std::string& body,
                        const std::string& signature = "") {
  std::string headers = "webhook-id: " + id + "\r\nwebhook-timestamp: 1700000000\r\n";
  if (!signature.empty()) headers += "webhook-signature: " + signature + "\r\n";
  return Post(body, headers);
}

// Five binomial standard deviations: a correct sink misses this band with probability
// below 1e-6, and with a fixed seed the outcome does not change from run to run anyway.
double Tolerance(int trials, double rate) { return 5 * std::sqrt(trials * rate * (1 - rate)); }

class SinkTest : public ::testing::Test {
 protected:
  void Start(SinkOptions options) {
    if (!options.seed.has_value()) options.seed = 12345;
    sink_ = loop_.Run([&] {
      StatusOr<std::unique_ptr<Sink>> sink = Sink::Start(
          loop_.loop(), options, [this](const std::string& line) { lines_.push_back(line); });
      HOOKFAN_CHECK(sink.ok());
      return std::move(*sink);
    });
    port_ = loop_.Run([&] { return sink_->port(); });
  }

  SinkStats Stats() {
    return loop_.Run([&] { return sink_->stats(); });
  }

  // Closes the sink and waits until it is gone.
  void StopSink() {
    if (loop_.Run([&] { return sink_ == nullptr; })) return;
    loop_.Run([&] { sink_->Close([this] { sink_.reset(); }); });
    while (!loop_.Run([&] { return sink_ == nullptr; })) {
      // closing takes a loop turn or two
    }
  }

  void TearDown() override {
    StopSink();
    loop_.Stop();
  }

  LoopThread loop_;
  std::unique_ptr<Sink> sink_;
  std::vector<std::string> lines_;  // loop thread only
  int port_ = 0;
};

TEST_F(SinkTest, AnswersWithTheConfiguredStatusAndCountsIt) {
  SinkOptions options;
  options.status = 202;
  Start(options);
  RawHttpClient client(port_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send(Post("{}")));
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 202);
    EXPECT_EQ(response->body, "ok");
  }
  SinkStats stats = Stats();
  EXPECT_EQ(stats.requests, 3u);
  EXPECT_EQ(stats.by_status[202], 3u);
  EXPECT_EQ(stats.answered(), 3u);
}

TEST_F(SinkTest, FailRateFailsThatShareOfRequestsWithRetryAfter) {
  SinkOptions options;
  options.fail_rate = 0.3;
  options.fail_status = 503;
  options.retry_after_s = 30;
  Start(options);
  constexpr int kRequests = 2000;
  RawHttpClient client(port_);
  int failures = 0;
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(client.Send(Post("{}")));
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    if (response->status == 503) {
      ++failures;
      EXPECT_EQ(response->Header("retry-after"), "30");
    } else {
      ASSERT_EQ(response->status, 200);
      EXPECT_EQ(response->Header("retry-after"), "");
    }
  }
  EXPECT_NEAR(failures, 0.3 * kRequests, Tolerance(kRequests, 0.3));  // 600 +- 102
  SinkStats stats = Stats();
  EXPECT_EQ(stats.by_status[503], static_cast<std::uint64_t>(failures));
  EXPECT_EQ(stats.by_status[200], static_cast<std::uint64_t>(kRequests - failures));
}

TEST_F(SinkTest, ResetRateResetsThatShareOfConnections) {
  SinkOptions options;
  options.reset_rate = 0.5;
  Start(options);
  constexpr int kRequests = 200;
  int resets = 0;
  auto client = std::make_unique<RawHttpClient>(port_);
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(client->Send(Post("{}")));
    std::optional<RawResponse> response = client->ReadResponse();
    if (response.has_value()) {
      EXPECT_EQ(response->status, 200);
      continue;
    }
    ASSERT_EQ(client->last_end(), RawHttpClient::End::kReset) << "request " << i;
    ++resets;
    client = std::make_unique<RawHttpClient>(port_);  // reconnect, as a sender would
  }
  EXPECT_NEAR(resets, 0.5 * kRequests, Tolerance(kRequests, 0.5));  // 100 +- 35
  SinkStats stats = Stats();
  EXPECT_EQ(stats.resets, static_cast<std::uint64_t>(resets));
  EXPECT_EQ(stats.by_status[200], static_cast<std::uint64_t>(kRequests - resets));
}

TEST_F(SinkTest, LatencyDelaysEveryAnswerByAtLeastTheConfiguredTime) {
  SinkOptions options;
  options.latency_ms = 30;
  Start(options);
  RawHttpClient client(port_);
  for (int i = 0; i < 3; ++i) {
    auto sent = std::chrono::steady_clock::now();
    ASSERT_TRUE(client.Send(Post("{}")));
    std::optional<RawResponse> response = client.ReadResponse();
    auto waited = std::chrono::steady_clock::now() - sent;
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
    EXPECT_GE(waited, std::chrono::milliseconds(30));
  }
}

TEST_F(SinkTest, LatencyKeepsPipelinedAnswersInRequestOrder) {
  // With one seed the n-th request gets the same decision with or without latency, so the
  // sequence of statuses from a delayed sink must equal the one from an immediate sink.
  auto statuses = [this](DurationMs latency) {
    SinkOptions options;
    options.latency_ms = latency;
    options.fail_rate = 0.5;
    Start(options);
    RawHttpClient client(port_);
    std::string burst;
    for (int i = 0; i < 30; ++i) burst += Post("{}");
    EXPECT_TRUE(client.Send(burst));
    std::string sequence;
    for (int i = 0; i < 30; ++i) {
      std::optional<RawResponse> response = client.ReadResponse();
      sequence += !response.has_value() ? 'x' : response->status == 500 ? 'F' : '.';
    }
    StopSink();
    return sequence;
  };
  const std::string immediate = statuses(0);
  const std::string delayed = statuses(5);
  EXPECT_EQ(delayed, immediate);
  EXPECT_NE(immediate.find('F'), std::string::npos);
  EXPECT_NE(immediate.find('.'), std::string::npos);
}

TEST_F(SinkTest, LatencyAppliesBeforeAReset) {
  SinkOptions options;
  options.latency_ms = 30;
  options.reset_rate = 1;
  Start(options);
  RawHttpClient client(port_);
  auto sent = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Send(Post("{}")));
  EXPECT_FALSE(client.ReadResponse().has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - sent, std::chrono::milliseconds(30));
  EXPECT_EQ(client.last_end(), RawHttpClient::End::kReset);
}

TEST_F(SinkTest, SecretAcceptsGoodSignaturesAndAnswers401ToBadOnes) {
  SinkOptions options;
  options.secret = kSecret;
  Start(options);
  RawHttpClient client(port_);
  const std::string body = R"({"type":"pass.created"})";
  struct Case {
    std::string request;
    int status;
  };
  const Case cases[] = {
      {WebhookPost("msg_1", body, Sign("msg_1", "1700000000", body)), 200},
      {WebhookPost("msg_2", body, Sign("msg_2", "1700000000", "other body")), 401},
      {WebhookPost("msg_3", body), 401},  // no signature header
      {Post(body), 401},                  // no webhook headers at all
      // Key rotation: several signatures, one of them good.
      {WebhookPost("msg_4", body, "v1,AAAA " + Sign("msg_4", "1700000000", body)), 200},
  };
  for (const Case& c : cases) {
    ASSERT_TRUE(client.Send(c.request));
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, c.status) << c.request;
    if (c.status == 401) {
      EXPECT_NE(response->body.find("webhook-signature"), std::string::npos);
    }
  }
  SinkStats stats = Stats();
  EXPECT_EQ(stats.bad_signatures, 3u);
  EXPECT_EQ(stats.by_status[401], 3u);
  EXPECT_EQ(stats.by_status[200], 2u);
}

TEST_F(SinkTest, DuplicatesAreAcknowledgedIdsSeenAgain) {
  Start(SinkOptions{});
  RawHttpClient client(port_);
  for (const char* id : {"a", "b", "a", "c", "a"}) {
    ASSERT_TRUE(client.Send(WebhookPost(id, "{}")));
    ASSERT_TRUE(client.ReadResponse().has_value());
  }
  EXPECT_EQ(Stats().duplicates, 2u);
}

TEST_F(SinkTest, RetriesOfFailedDeliveriesAreNotDuplicates) {
  SinkOptions options;
  options.fail_rate = 1;
  Start(options);
  RawHttpClient client(port_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send(WebhookPost("same", "{}")));
    ASSERT_TRUE(client.ReadResponse().has_value());
  }
  EXPECT_EQ(Stats().duplicates, 0u);
}

TEST_F(SinkTest, TrackIdsBoundsTheMemoryOfSeenIds) {
  SinkOptions options;
  options.track_ids = 2;
  Start(options);
  RawHttpClient client(port_);
  // "a" is forgotten once "b" and "c" arrived: its second delivery is not recognised.
  for (const char* id : {"a", "b", "c", "a", "a"}) {
    ASSERT_TRUE(client.Send(WebhookPost(id, "{}")));
    ASSERT_TRUE(client.ReadResponse().has_value());
  }
  EXPECT_EQ(Stats().duplicates, 1u);
}

TEST_F(SinkTest, StatsLinesArePrintedAtTheInterval) {
  SinkOptions options;
  options.stats_interval_ms = 10;
  options.json = true;
  Start(options);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Post("{}")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  std::string line;
  while (line.find("\"requests\":1") == std::string::npos) {
    line = loop_.Run([&] { return lines_.empty() ? std::string() : lines_.back(); });
  }
  EXPECT_EQ(line.rfind("{\"type\":\"stats\"", 0), 0u) << line;
  EXPECT_NE(line.find("\"status\":{\"200\":1}"), std::string::npos) << line;
}

TEST(SinkStartTest, BadOptionsAreRefusedNamingTheField) {
  LoopThread loop;
  SinkOptions options;
  options.fail_rate = 1.5;
  StatusOr<std::unique_ptr<Sink>> sink =
      loop.Run([&] { return Sink::Start(loop.loop(), options); });
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.status().message().find("fail_rate"), std::string::npos);
}

// The real `hookfan sink` process, its stdout and stderr through pipes.
class SinkProcess {
 public:
  explicit SinkProcess(std::vector<std::string> args) {
    int out[2];
    int err[2];
    HOOKFAN_CHECK(pipe(out) == 0 && pipe(err) == 0);
    pid_ = fork();
    HOOKFAN_CHECK(pid_ >= 0);
    if (pid_ == 0) {
      dup2(out[1], 1);
      dup2(err[1], 2);
      close(out[0]);
      close(err[0]);
      std::vector<char*> argv;
      std::string binary = HOOKFAN_BINARY;
      argv.push_back(binary.data());
      std::string sink = "sink";
      argv.push_back(sink.data());
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  SinkProcess(const SinkProcess&) = delete;
  SinkProcess& operator=(const SinkProcess&) = delete;
  ~SinkProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
    close(err_);
  }

  // One stdout line without its newline; empty at EOF (10 s safety timeout).
  std::string ReadLine() {
    for (;;) {
      size_t newline = out_buffer_.find('\n');
      if (newline != std::string::npos) {
        std::string line = out_buffer_.substr(0, newline);
        out_buffer_.erase(0, newline + 1);
        return line;
      }
      if (!ReadSome(out_, &out_buffer_)) return std::exchange(out_buffer_, {});
    }
  }
  // Everything until EOF.
  std::string ReadAllStdout() {
    while (ReadSome(out_, &out_buffer_)) {
    }
    return std::exchange(out_buffer_, {});
  }
  std::string ReadAllStderr() {
    std::string text;
    while (ReadSome(err_, &text)) {
    }
    return text;
  }
  void Signal(int signal) { kill(pid_, signal); }
  // The exit code, or -1 when killed by a signal.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  static bool ReadSome(int fd, std::string* into) {
    pollfd poll_fd{fd, POLLIN, 0};
    if (poll(&poll_fd, 1, 10'000) <= 0) return false;
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) return false;
    into->append(chunk, static_cast<size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::string out_buffer_;
};

TEST(SinkCommandTest, PortZeroPrintsTheChosenPortAndSigtermPrintsASummary) {
  SinkProcess sink({"--listen", "127.0.0.1:0"});
  std::string first = sink.ReadLine();
  const std::string prefix = "listening on 127.0.0.1:";
  ASSERT_EQ(first.rfind(prefix, 0), 0u) << first;
  int port = std::stoi(first.substr(prefix.size()));
  ASSERT_GT(port, 0);
  {
    RawHttpClient client(port);
    ASSERT_TRUE(client.Send(Post("{}")));
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
  }
  sink.Signal(SIGTERM);
  std::string rest = sink.ReadAllStdout();
  EXPECT_EQ(rest.rfind("summary ", 0), 0u) << rest;
  EXPECT_NE(rest.find(" requests=1 "), std::string::npos) << rest;
  EXPECT_NE(rest.find(" status=200:1 "), std::string::npos) << rest;
  EXPECT_EQ(sink.Wait(), 0);
}

TEST(SinkCommandTest, JsonModePrintsJsonLinesAndStopsOnSigint) {
  SinkProcess sink({"--json"});
  std::string first = sink.ReadLine();
  ASSERT_EQ(first.rfind("{\"type\":\"listening\",\"host\":\"127.0.0.1\",\"port\":", 0), 0u)
      << first;
  sink.Signal(SIGINT);
  std::string summary = sink.ReadLine();
  EXPECT_EQ(summary.rfind("{\"type\":\"summary\"", 0), 0u) << summary;
  EXPECT_NE(summary.find("\"requests\":0"), std::string::npos) << summary;
  EXPECT_EQ(sink.Wait(), 0);
}

TEST(SinkCommandTest, BadOptionExitsWithCode2AndOneLineNamingIt) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--fail-rate", "2"},
           {"--latency", "5 parsecs"},
           {"--listen", "localhost"},
           {"--secret", "not-a-secret"},
       }) {
    SinkProcess sink(args);
    std::string err = sink.ReadAllStderr();
    EXPECT_EQ(sink.Wait(), 2) << args[0];
    EXPECT_EQ(sink.ReadAllStdout(), "") << args[0];
    ASSERT_FALSE(err.empty());
    EXPECT_EQ(err.find('\n'), err.size() - 1) << err;  // exactly one line
    EXPECT_NE(err.find(args[0] + ":"), std::string::npos) << err;
  }
}

}  // namespace
}  // namespace hookfan::tools
