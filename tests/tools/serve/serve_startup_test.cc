// `hookfan serve` as a new user meets it (issue 9, defect 11): a directory given as the
// config, `localhost` in `listen`, SIGHUP, an endpoint with only an id and a url (its secret
// is generated and shown once), `hookfan --version`. The real binary, loopback only.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "engine/signing/signer.h"
#include "tests/net/raw_http_client.h"
#include "tests/support/loopback_guard.h"
#include "tests/support/test_receiver.h"
#include "tests/tools/child_process.h"
#include "tests/tools/temp_files.h"

namespace hookfan::tools {
namespace {

using hookfan::test::ChildProcess;
using hookfan::test::MakeTempDir;
using hookfan::test::RawHttpClient;
using hookfan::test::RawResponse;
using hookfan::test::WriteTempFile;
using hookfan::testing::kAllowLoopbackToml;
using hookfan::testing::ReceivedRequest;
using hookfan::testing::ReceiverReply;
using hookfan::testing::TestReceiver;

RawResponse Request(int port, const std::string& request) {
  RawHttpClient client(port);
  EXPECT_TRUE(client.connected());
  EXPECT_TRUE(client.Send(request));
  return client.ReadResponse().value_or(RawResponse{});
}

// The port of "hookfan serve: listening on 127.0.0.1:PORT with ...", else 0.
int ListeningPort(ChildProcess& serve) {
  const std::optional<std::string> line = serve.ReadStdoutLine();
  constexpr std::string_view kPrefix = "hookfan serve: listening on 127.0.0.1:";
  EXPECT_TRUE(line && line->starts_with(kPrefix)) << line.value_or("") << serve.stderr_text();
  return line && line->starts_with(kPrefix) ? std::atoi(line->c_str() + kPrefix.size()) : 0;
}

TEST(ServeStartupTest, ADirectoryAsConfigFailsWithOneLineAndExitTwo) {
  const std::string dir = MakeTempDir();
  ChildProcess serve({HOOKFAN_BINARY, "serve", "--config", dir, "--listen", "127.0.0.1:0"},
                     MakeTempDir());
  EXPECT_EQ(serve.Wait(), 2);
  EXPECT_EQ(serve.stderr_text(), "hookfan serve: " + dir + ": is a directory, not a config file\n");
  EXPECT_EQ(serve.stdout_text(), "") << "nothing may start on a default config";
}

TEST(ServeStartupTest, LocalhostInListenResolvesToALoopbackAddress) {
  const std::string path = WriteTempFile("hookfan.toml", "[ingest]\nlisten = \"localhost:0\"\n");
  ChildProcess serve({HOOKFAN_BINARY, "serve", "--config", path}, MakeTempDir());
  const int port = ListeningPort(serve);
  ASSERT_GT(port, 0);
  RawResponse health =
      Request(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(health.status, 200);
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0) << serve.stderr_text();
}

TEST(ServeStartupTest, ABadListenInTheFileNamesFileLineAndField) {
  const std::string path =
      WriteTempFile("hookfan.toml", "[engine]\nworkers = 1\n\n[ingest]\nlisten = \"localhost\"\n");
  ChildProcess serve({HOOKFAN_BINARY, "serve", "--config", path}, MakeTempDir());
  EXPECT_EQ(serve.Wait(), 2);
  EXPECT_EQ(serve.stderr_text(),
            "hookfan serve: " + path + ":5: ingest.listen: 'localhost' is not host:port\n");
}

// The delivery is in flight (the receiver answers 300 ms late) when SIGHUP arrives: a drain
// lets it finish, where the old default action killed serve (exit 129) and lost it.
TEST(ServeStartupTest, SighupDrainsLikeSigterm) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200, "", 300}; });
  const std::string path =
      WriteTempFile("hookfan.toml", std::string(kAllowLoopbackToml) +
                                        "[[endpoints]]\nid = \"a\"\nsigning = \"none\"\nurl = \"" +
                                        receiver.Url() + "\"\n");
  ChildProcess serve({HOOKFAN_BINARY, "serve", "--config", path, "--listen", "127.0.0.1:0"},
                     MakeTempDir());
  const int port = ListeningPort(serve);
  ASSERT_GT(port, 0);
  const std::string body = R"({"type":"a","payload":1})";
  RawResponse accepted = Request(port, "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                           std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(accepted.status, 202);
  ASSERT_TRUE(receiver.WaitForCount(1, 5000)) << "the request reached the receiver";
  serve.Signal(SIGHUP);
  EXPECT_EQ(serve.Wait(), 0) << "SIGHUP used to kill serve (exit 129) without a drain";
  EXPECT_NE(serve.stderr_text().find("hookfan serve: SIGHUP received, draining"), std::string::npos)
      << serve.stderr_text();
  EXPECT_NE(serve.stdout_text().find("hookfan serve: stopped; accepted 1 events, delivered 1 "
                                     "during drain, 0 attempts cancelled, 0 deliveries still "
                                     "pending"),
            std::string::npos)
      << serve.stdout_text();
}

TEST(ServeStartupTest, AnEndpointWithoutSecretGetsAGeneratedOneShownOnce) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  // What docs/configuration.md says is enough: an id and a url.
  const std::string path = WriteTempFile(
      "hookfan.toml", std::string(kAllowLoopbackToml) + "[[endpoints]]\nid = \"orders\"\nurl = \"" +
                          receiver.Url() + "\"\n");
  ChildProcess serve({HOOKFAN_BINARY, "serve", "--config", path, "--listen", "127.0.0.1:0"},
                     MakeTempDir());
  const int port = ListeningPort(serve);
  ASSERT_GT(port, 0);
  const std::string body = R"({"type":"order.paid","payload":{"n":1}})";
  EXPECT_EQ(Request(port, "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body)
                .status,
            202);
  ASSERT_TRUE(receiver.WaitForCount(1, 5000));
  serve.Signal(SIGTERM);
  ASSERT_EQ(serve.Wait(), 0) << serve.stderr_text();

  const std::string& err = serve.stderr_text();
  const std::string prefix = "hookfan serve: endpoints[0] 'orders' has no secret; generated ";
  const std::size_t at = err.find(prefix);
  ASSERT_NE(at, std::string::npos) << err;
  const std::string secret =
      err.substr(at + prefix.size(), err.find(' ', at + prefix.size()) - (at + prefix.size()));
  ASSERT_TRUE(secret.starts_with("whsec_")) << secret;
  const std::string all = serve.stdout_text() + err;
  EXPECT_EQ(all.find(secret), all.rfind(secret)) << "the secret is shown exactly once";

  // The printed secret is the one the deliveries are signed with.
  const ReceivedRequest request = receiver.Requests().at(0);
  StatusOr<bool> verified = engine::VerifyStandardSignature(
      secret, request.Header("webhook-id"), request.Header("webhook-timestamp"), request.body,
      request.Header("webhook-signature"));
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(*verified);
}

TEST(ServeStartupTest, VersionFlagAndCommandPrintTheSameLine) {
  ChildProcess flag({HOOKFAN_BINARY, "--version"});
  EXPECT_EQ(flag.Wait(), 0) << flag.stderr_text();
  ChildProcess command({HOOKFAN_BINARY, "version"});
  EXPECT_EQ(command.Wait(), 0);
  EXPECT_TRUE(flag.stdout_text().starts_with("hookfan 0.")) << flag.stdout_text();
  EXPECT_EQ(flag.stdout_text(), command.stdout_text());
}

}  // namespace
}  // namespace hookfan::tools
