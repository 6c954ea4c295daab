#include "net/client/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "tests/net/client_fixture.h"

namespace hookfan::net {
namespace {

using testing::ClientFixture;
using testing::kOk;
using testing::RawHttpPeer;
using testing::TestAttempt;

// A plain socket on 127.0.0.1 with an ephemeral port; closed by the destructor.
class LoopbackSocket {
 public:
  LoopbackSocket() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    HOOKFAN_CHECK(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    HOOKFAN_CHECK(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    socklen_t length = sizeof(address);
    HOOKFAN_CHECK(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackSocket() { close(fd_); }
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;

  int fd() const { return fd_; }
  int port() const { return port_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

sockaddr_storage LoopbackAddress(int port) {
  sockaddr_storage storage{};
  auto* address = reinterpret_cast<sockaddr_in*>(&storage);
  address->sin_family = AF_INET;
  address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address->sin_port = htons(static_cast<std::uint16_t>(port));
  return storage;
}

class HttpClientTest : public ClientFixture {};

TEST_F(HttpClientTest, SendsOnePostWithHeadHeadersAndBody) {
  StartPeer("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nthanks, bye");
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url("/hooks?x=1"));
  TestAttempt attempt(R"({"id":"e1"})");
  attempt.request.path_and_query = "/hooks?x=1";
  attempt.request.extra_headers = "webhook-id: msg_1\r\nwebhook-timestamp: 1700000000\r\n";
  SendAndWait(pool, attempt);

  EXPECT_EQ(attempt.calls, 1);
  EXPECT_TRUE(attempt.outcome.ok_response());
  EXPECT_EQ(attempt.outcome.status, 200);
  EXPECT_EQ(attempt.body_prefix, "thanks, bye");
  ASSERT_EQ(peer_->requests().size(), 1u);
  EXPECT_EQ(peer_->requests()[0].head,
            "POST /hooks?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(peer_->port()) +
                "\r\nUser-Agent: hookfan/0.1\r\nContent-Type: application/json\r\n"
                "Content-Length: 11\r\nwebhook-id: msg_1\r\nwebhook-timestamp: 1700000000\r\n\r\n");
  EXPECT_EQ(peer_->requests()[0].body, R"({"id":"e1"})");
}

TEST_F(HttpClientTest, BodyLargerThanTheSocketBufferIsWrittenCompletely) {
  // Far more than loopback socket buffers take at once: the rest goes through a queued write.
  StartPeer(kOk);
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  std::string body(16 << 20, 'b');
  for (std::size_t i = 0; i < body.size(); i += 4096) body[i] = static_cast<char>('a' + i % 26);
  TestAttempt attempt(body);
  attempt.request.extra_headers = "x-big: yes\r\n";
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.status, 200);
  ASSERT_EQ(peer_->requests().size(), 1u);
  EXPECT_TRUE(peer_->requests()[0].body == body);
  EXPECT_EQ(client_->Stats(pool).idle, 1u);
}

TEST_F(HttpClientTest, ContentTypeAndUserAgentAreConfigurable) {
  StartPeer(kOk);
  ClientOptions options;
  options.user_agent = "hookfan-test/9";
  StartClient(options);
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt("{}");
  attempt.request.content_type = "application/json; charset=utf-8";
  SendAndWait(pool, attempt);

  ASSERT_EQ(peer_->requests().size(), 1u);
  EXPECT_EQ(peer_->requests()[0].head,
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(peer_->port()) +
                "\r\nUser-Agent: hookfan-test/9\r\nContent-Type: application/json; "
                "charset=utf-8\r\nContent-Length: 2\r\n\r\n");
}

TEST_F(HttpClientTest, ChunkedResponseBodyIsReadAndDiscarded) {
  StartPeer(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnice\r\n4\r\n one\r\n0\r\n\r\n");
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.status, 200);
  EXPECT_EQ(attempt.body_prefix, "nice one");
  // The connection stayed usable: the whole chunked body was consumed.
  EXPECT_EQ(client_->Stats(pool).idle, 1u);
}

TEST_F(HttpClientTest, NoContentResponseCompletes) {
  StartPeer("HTTP/1.1 204 No Content\r\n\r\n");
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_TRUE(attempt.outcome.ok_response());
  EXPECT_EQ(attempt.outcome.status, 204);
  EXPECT_EQ(client_->Stats(pool).idle, 1u);
}

TEST_F(HttpClientTest, RedirectIsReportedNotFollowed) {
  StartPeer(
      "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\n\r\n");
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_TRUE(attempt.outcome.ok_response());
  EXPECT_EQ(attempt.outcome.status, 302);
  EXPECT_EQ(peer_->requests().size(), 1u);
  EXPECT_EQ(client_->Stats(pool).connects, 1u);
}

TEST_F(HttpClientTest, RetryAfterIsSurfaced) {
  StartPeer(
      "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\nContent-Length: 4\r\n\r\nbusy");
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.status, 503);
  EXPECT_EQ(attempt.outcome.retry_after(), "120");
  EXPECT_EQ(attempt.body_prefix, "busy");
}

TEST_F(HttpClientTest, PeerClosingMidResponseIsConnectionReset) {
  StartPeer([](const RawHttpPeer::Request&) {
    return RawHttpPeer::Reply::Answer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial",
                                      true);
  });
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.error, RequestError::kConnectionReset);
  const PoolStats stats = client_->Stats(pool);
  EXPECT_EQ(stats.retries, 0u);  // bytes had arrived: never retried
  EXPECT_EQ(stats.errors, 1u);
  EXPECT_EQ(stats.open_connections, 0u);
}

TEST_F(HttpClientTest, GarbageStatusLineIsProtocolError) {
  StartPeer("220 smtp.example ESMTP ready\r\n");
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.error, RequestError::kProtocolError);
  EXPECT_EQ(client_->Stats(pool).open_connections, 0u);
}

TEST_F(HttpClientTest, SilentPeerIsResponseTimeout) {
  StartPeer([](const RawHttpPeer::Request&) { return RawHttpPeer::Reply::Hold(); });
  ClientOptions options;
  options.response_timeout = 30;
  StartClient(options);
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.error, RequestError::kResponseTimeout);
  EXPECT_EQ(peer_->requests().size(), 1u);  // it was written, then nothing came back
}

TEST_F(HttpClientTest, StalledHeadersHitTheTotalTimeout) {
  // A first byte arrives in time, so only the total deadline is left to catch the stall.
  StartPeer([](const RawHttpPeer::Request&) {
    return RawHttpPeer::Reply::Answer("HTTP/1.1 200 OK\r\nContent-");
  });
  ClientOptions options;
  options.total_timeout = 50;
  StartClient(options);
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.error, RequestError::kTotalTimeout);
}

TEST_F(HttpClientTest, HugeHeadersAreTooLarge) {
  std::string response = "HTTP/1.1 200 OK\r\n";
  while (response.size() < 20000) response += "X-Padding: " + std::string(100, 'p') + "\r\n";
  response += "Content-Length: 0\r\n\r\n";
  StartPeer(response);
  StartClient();  // default header cap: 16 KiB
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.error, RequestError::kResponseTooLarge);
  EXPECT_EQ(client_->Stats(pool).open_connections, 0u);
}

TEST_F(HttpClientTest, HugeDeclaredBodyIsTooLarge) {
  StartPeer("HTTP/1.1 200 OK\r\nContent-Length: 2097152\r\n\r\nstart of a long body");
  StartClient();  // default body cap: 1 MiB
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.error, RequestError::kResponseTooLarge);
  EXPECT_EQ(client_->Stats(pool).open_connections, 0u);
}

TEST_F(HttpClientTest, HugeChunkedBodyIsTooLarge) {
  const std::string chunk = "1000\r\n" + std::string(0x1000, 'c') + "\r\n";
  std::string response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) response += chunk;
  response += "0\r\n\r\n";
  StartPeer(response);
  ClientOptions options;
  options.max_response_body_bytes = 10000;
  StartClient(options);
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.error, RequestError::kResponseTooLarge);
}

TEST_F(HttpClientTest, LargeBodyUnderTheCapIsDiscardedAndConnectionKept) {
  std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n";
  response += std::string(300000, 'd');
  StartPeer(response);
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.status, 200);
  EXPECT_EQ(attempt.body_prefix, std::string(256, 'd'));
  EXPECT_EQ(client_->Stats(pool).idle, 1u);
}

TEST_F(HttpClientTest, ConnectRefused) {
  LoopbackSocket bound_not_listening;  // holds the port, so nobody else can listen on it
  StartClient();
  OriginPool* pool = PoolFor(bound_not_listening.Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.error, RequestError::kConnectRefused);
  EXPECT_EQ(client_->Stats(pool).connects, 1u);
  EXPECT_EQ(client_->Stats(pool).errors, 1u);
}

TEST_F(HttpClientTest, ConnectTimeoutWhenTheAcceptQueueIsFull) {
  // backlog 0 admits one unaccepted connection; with it in place the kernel drops further
  // SYNs, so our connect stays pending until the connect timeout.
  LoopbackSocket listener;
  ASSERT_EQ(listen(listener.fd(), 0), 0);
  const int filler = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(listener.port()));
  ASSERT_EQ(connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);

  ClientOptions options;
  options.connect_timeout = 50;
  StartClient(options);
  OriginPool* pool = PoolFor(listener.Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.error, RequestError::kConnectTimeout);
  close(filler);
}

TEST_F(HttpClientTest, AddressPolicyRefusalStopsTheConnect) {
  StartPeer(kOk);
  ClientOptions options;
  options.address_policy = AddressPolicy::PublicOnly({});  // loopback not allow-listed
  StartClient(options);
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.error, RequestError::kAddressRefused);
  EXPECT_EQ(RequestErrorName(attempt.outcome.error), "address_not_allowed");
  EXPECT_EQ(attempt.outcome.detail(), "127.0.0.1 refused by loopback 127.0.0.0/8");
  RunUntil([&] { return client_->Stats(pool).open_connections == 0; });
  EXPECT_EQ(peer_->connections_accepted(), 0);
}

TEST_F(HttpClientTest, AllowListedLoopbackIsConnected) {
  StartPeer(kOk);
  ClientOptions options;
  options.address_policy = AddressPolicy::PublicOnly({*Cidr::Parse("127.0.0.1")});
  StartClient(options);
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.status, 200);
  EXPECT_TRUE(attempt.outcome.detail().empty());
}

TEST_F(HttpClientTest, ResolvedNameIsCheckedAfterResolution) {
  // "localhost" is a name: the guard judges the addresses it resolves to, not the text.
  StartPeer(kOk);
  ClientOptions options;
  options.address_policy = AddressPolicy::PublicOnly({});
  StartClient(options);
  OriginPool* pool = PoolFor("http://localhost:" + std::to_string(peer_->port()) + "/");
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.error, RequestError::kAddressRefused);
  EXPECT_NE(attempt.outcome.detail().find(" refused by loopback "), std::string_view::npos)
      << attempt.outcome.detail();
  EXPECT_EQ(peer_->connections_accepted(), 0);
}

TEST_F(HttpClientTest, LocalhostNameIsResolvedAndConnected) {
  // "localhost" may resolve to ::1 first while the peer listens on 127.0.0.1 only: the
  // client then moves on to the next address.
  StartPeer(kOk);
  StartClient();
  OriginPool* pool = PoolFor("http://localhost:" + std::to_string(peer_->port()) + "/");
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.status, 200);
  ASSERT_EQ(peer_->requests().size(), 1u);
  EXPECT_NE(peer_->requests()[0].head.find("\r\nHost: localhost:"), std::string::npos);
}

TEST_F(HttpClientTest, ConnectFallsThroughToTheNextAddress) {
  LoopbackSocket refusing_a, refusing_b;
  StartPeer(kOk);
  StartClient();
  OriginPool* pool = PoolFor("http://hooks.test/");
  pool->SetAddressesForTest({LoopbackAddress(refusing_a.port()), LoopbackAddress(refusing_b.port()),
                             LoopbackAddress(peer_->port())});
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.status, 200);
  EXPECT_EQ(client_->Stats(pool).connects, 1u);
  ASSERT_EQ(peer_->requests().size(), 1u);
  EXPECT_NE(peer_->requests()[0].head.find("\r\nHost: hooks.test\r\n"), std::string::npos);
}

TEST_F(HttpClientTest, EveryAddressRefusingIsConnectRefused) {
  LoopbackSocket refusing_a, refusing_b;
  StartClient();
  OriginPool* pool = PoolFor("http://hooks.test/");
  pool->SetAddressesForTest(
      {LoopbackAddress(refusing_a.port()), LoopbackAddress(refusing_b.port())});
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.error, RequestError::kConnectRefused);
}

TEST_F(HttpClientTest, CallbackNeverRunsInsideSend) {
  LoopbackSocket bound_not_listening;
  ClientOptions options;
  options.address_policy = AddressPolicy::PublicOnly({});  // fails as early as can be
  StartClient(options);
  OriginPool* pool = PoolFor(bound_not_listening.Url());
  TestAttempt attempt;
  Send(pool, attempt);
  EXPECT_EQ(attempt.calls, 0);
  EXPECT_TRUE(attempt.request.in_flight());
  RunUntil([&] { return attempt.calls == 1; });
  EXPECT_FALSE(attempt.request.in_flight());
  EXPECT_EQ(attempt.outcome.error, RequestError::kAddressRefused);
}

TEST_F(HttpClientTest, SameOriginSharesOnePoolAndHttpsHasItsOwn) {
  StartClient();
  OriginPool* a = PoolFor("http://127.0.0.1:8080/a");
  OriginPool* b = PoolFor("http://127.0.0.1:8080/b?x=1");
  OriginPool* c = PoolFor("http://127.0.0.1:8081/a");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a->origin(), "http://127.0.0.1:8080");
  EXPECT_EQ(client_->pool_count(), 2u);
  StatusOr<OriginPool*> https = client_->PoolFor(*Url::Parse("https://127.0.0.1:8080/"));
  ASSERT_TRUE(https.ok()) << https.status().message();
  EXPECT_NE(*https, a);
  EXPECT_EQ((*https)->origin(), "https://127.0.0.1:8080");
  TlsClientOptions missing_ca;
  missing_ca.ca_file = "/nonexistent/ca.pem";
  StatusOr<OriginPool*> bad =
      client_->PoolFor(*Url::Parse("https://127.0.0.1:8082/"), "", &missing_ca);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("tls_ca_file"), std::string::npos)
      << bad.status().message();
}

TEST_F(HttpClientTest, CloseCancelsQueuedAndInFlightRequestsExactlyOnce) {
  StartPeer([](const RawHttpPeer::Request&) { return RawHttpPeer::Reply::Hold(); });
  ClientOptions options;
  options.max_connections_per_origin = 1;
  StartClient(options);
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt first, second, third;
  Send(pool, first);
  Send(pool, second);
  Send(pool, third);
  RunUntil([&] { return peer_->requests().size() == 1; });
  EXPECT_EQ(client_->Stats(pool).queued, 2u);
  EXPECT_EQ(client_->Stats(pool).in_flight, 1u);

  // A callback that tries to send again during Close is refused without a callback.
  Status resend;
  second.then = [&](TestAttempt& a) { resend = client_->Send(pool, &a.request); };
  CloseClient();
  EXPECT_EQ(first.calls, 1);
  EXPECT_EQ(second.calls, 1);
  EXPECT_EQ(third.calls, 1);
  EXPECT_EQ(first.outcome.error, RequestError::kCancelled);
  EXPECT_EQ(second.outcome.error, RequestError::kCancelled);
  EXPECT_EQ(third.outcome.error, RequestError::kCancelled);
  EXPECT_EQ(resend.code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(client_closed_);  // on_closed comes from a close callback
  RunUntil([&] { return client_closed_; });
  EXPECT_EQ(first.calls + second.calls + third.calls, 3);

  TestAttempt late;
  Status after = client_->Send(pool, &late.request);
  EXPECT_EQ(after.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(late.calls, 0);
}

TEST_F(HttpClientTest, CloseWithoutPoolsCallsBackFromTheLoop) {
  StartClient();
  CloseClient();
  EXPECT_FALSE(client_closed_);
  RunUntil([&] { return client_closed_; });
}

TEST(ClientOptionsTest, ValidateNamesTheBadField) {
  ClientOptions options;
  EXPECT_TRUE(options.Validate().ok());
  options.max_connections_per_origin = 0;
  EXPECT_EQ(options.Validate().message(), "max_connections_per_origin: must be at least 1");
  options = ClientOptions();
  options.total_timeout = 0;
  EXPECT_EQ(options.Validate().message(), "total_timeout: must be positive");
  options = ClientOptions();
  options.user_agent = "evil\r\nX: 1";
  EXPECT_EQ(options.Validate().message(), "user_agent: must not contain control characters");
}

}  // namespace
}  // namespace hookfan::net
