// HttpClient over TLS against a real TLS server on loopback (RawHttpPeer with a server
// TlsSession), with certificates the test makes: delivery and keep-alive, resumption,
// post-handshake messages on idle connections, and every typed failure: wrong host name,
// expired certificate, unknown CA, plaintext or silent servers on an https URL, mutual TLS.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "net/client/http_client.h"
#include "tests/net/client_fixture.h"
#include "tests/net/tls/test_pki.h"
#include "tests/tools/temp_files.h"

namespace hookfan::net::testing {
namespace {

using hookfan::testing::TestCert;
using hookfan::testing::TestPki;

constexpr std::string_view kClose =
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

class HttpsClientTest : public ClientFixture {
 protected:
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // A TLS peer answering `reply` with `leaf` (default: a valid certificate for 127.0.0.1).
  void StartTlsPeer(std::string_view reply = kOk, const TestCert* leaf = nullptr,
                    bool require_client_cert = false) {
    std::unique_ptr<TestCert> fresh;
    if (leaf == nullptr) {
      fresh = std::make_unique<TestCert>(pki_.Leaf({"IP:127.0.0.1", "DNS:localhost"}));
      leaf = fresh.get();
    }
    leaf->Write(Path("server.pem"), Path("server.key"));
    TlsServerOptions options;
    options.cert_file = Path("server.pem");
    options.key_file = Path("server.key");
    if (require_client_cert) {
      pki_.WriteCa(Path("client-ca.pem"));
      options.client_ca_file = Path("client-ca.pem");
    }
    auto context = TlsContext::Server(options);
    ASSERT_TRUE(context.ok()) << context.status().ToString();
    server_context_ = std::move(*context);
    StartPeer(reply);
    peer_->EnableTls(server_context_.get());
  }

  // Trusts the test CA only (not the system store).
  TlsClientOptions TrustTestCa() {
    pki_.WriteCa(Path("ca.pem"));
    TlsClientOptions options;
    options.ca_file = Path("ca.pem");
    return options;
  }

  OriginPool* HttpsPool(const TlsClientOptions& tls, std::string_view path = "/hooks") {
    auto pool = client_->PoolFor(*Url::Parse(peer_->Url(path)), "endpoint", &tls);
    EXPECT_TRUE(pool.ok()) << pool.status().ToString();
    return pool.ok() ? *pool : nullptr;
  }

  void ExpectTlsError(const TestAttempt& attempt, std::string_view detail_part) {
    EXPECT_EQ(attempt.calls, 1);
    EXPECT_EQ(attempt.outcome.error, RequestError::kTlsError)
        << RequestErrorName(attempt.outcome.error) << ": " << attempt.outcome.detail();
    EXPECT_NE(attempt.outcome.detail().find(detail_part), std::string_view::npos)
        << attempt.outcome.detail();
  }

  std::string dir_ = test::MakeTempDir();
  TestPki pki_;
  std::unique_ptr<TlsContext> server_context_;
};

TEST_F(HttpsClientTest, DeliversOverTlsAndKeepsTheConnectionAlive) {
  StartTlsPeer();
  StartClient();
  OriginPool* pool = HttpsPool(TrustTestCa());
  for (int i = 0; i < 5; ++i) {
    TestAttempt attempt(R"({"n":)" + std::to_string(i) + "}");
    attempt.request.path_and_query = "/hooks";
    SendAndWait(pool, attempt);
    ASSERT_EQ(attempt.outcome.error, RequestError::kNone)
        << RequestErrorName(attempt.outcome.error) << ": " << attempt.outcome.detail();
    EXPECT_EQ(attempt.outcome.status, 200);
    EXPECT_EQ(attempt.body_prefix, "ok");
  }
  ASSERT_EQ(peer_->requests().size(), 5u);
  EXPECT_EQ(peer_->requests()[4].body, R"({"n":4})");
  EXPECT_EQ(peer_->requests()[0].head.rfind("POST /hooks HTTP/1.1\r\n", 0), 0u);
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.connects, 1u);
  EXPECT_EQ(stats.reuses, 4u);
  EXPECT_EQ(stats.tls_handshakes, 1u);
  EXPECT_EQ(stats.tls_failures, 0u);
  EXPECT_EQ(peer_->connections_accepted(), 1);
}

TEST_F(HttpsClientTest, AMegabyteBodyGoesThroughTheQueuedWritePath) {
  StartTlsPeer();
  StartClient();
  OriginPool* pool = HttpsPool(TrustTestCa());
  TestAttempt attempt(std::string(1 << 20, 'x'));
  SendAndWait(pool, attempt);
  ASSERT_EQ(attempt.outcome.error, RequestError::kNone) << attempt.outcome.detail();
  ASSERT_EQ(peer_->requests().size(), 1u);
  EXPECT_EQ(peer_->requests()[0].body.size(), std::size_t{1} << 20);
}

TEST_F(HttpsClientTest, NewConnectionsResumeTheOriginsSession) {
  StartTlsPeer(kClose);  // every answer closes: each request needs a new handshake
  StartClient();
  OriginPool* pool = HttpsPool(TrustTestCa());
  for (int i = 0; i < 3; ++i) {
    TestAttempt attempt;
    SendAndWait(pool, attempt);
    ASSERT_EQ(attempt.outcome.error, RequestError::kNone) << attempt.outcome.detail();
    RunFor(20);  // the close reaches the client before the next request
  }
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(peer_->connections_accepted(), 3);
  EXPECT_EQ(stats.tls_handshakes, 3u);
  // The first handshake is full; the tickets it left let the next ones resume.
  EXPECT_EQ(stats.tls_resumed, 2u);
}

TEST_F(HttpsClientTest, AKeyUpdateOnAnIdleConnectionIsNotConnectionLoss) {
  StartTlsPeer();
  StartClient();
  OriginPool* pool = HttpsPool(TrustTestCa());
  TestAttempt first;
  SendAndWait(pool, first);
  ASSERT_EQ(first.outcome.error, RequestError::kNone) << first.outcome.detail();
  RunFor(20);  // session tickets arrive on the idle connection
  peer_->SendKeyUpdate(0);
  RunFor(50);
  EXPECT_EQ(pool->Stats().idle_closed, 0u);
  EXPECT_EQ(pool->Stats().idle, 1u);
  TestAttempt second;
  SendAndWait(pool, second);
  ASSERT_EQ(second.outcome.error, RequestError::kNone) << second.outcome.detail();
  EXPECT_EQ(pool->Stats().reuses, 1u);
  EXPECT_EQ(peer_->connections_accepted(), 1);
  EXPECT_EQ(peer_->tls_failures(), 0);
}

TEST_F(HttpsClientTest, AWrongHostNameIsACertificateError) {
  const TestCert other = pki_.Leaf({"DNS:other.example"});
  StartTlsPeer(kOk, &other);
  StartClient();
  TestAttempt attempt;
  SendAndWait(HttpsPool(TrustTestCa()), attempt);
  ExpectTlsError(attempt, "mismatch");
  EXPECT_TRUE(peer_->requests().empty());
  EXPECT_EQ(HttpsPool(TrustTestCa())->Stats().tls_failures, 1u);
}

TEST_F(HttpsClientTest, AnExpiredCertificateIsACertificateError) {
  const TestCert expired = pki_.Leaf({"IP:127.0.0.1"}, -30, -1);
  StartTlsPeer(kOk, &expired);
  StartClient();
  TestAttempt attempt;
  SendAndWait(HttpsPool(TrustTestCa()), attempt);
  ExpectTlsError(attempt, "expired");
  EXPECT_TRUE(peer_->requests().empty());
}

TEST_F(HttpsClientTest, AnUnknownCaIsRefusedAndTlsVerifyFalseAcceptsIt) {
  StartTlsPeer();
  StartClient();
  TestPki stranger("another CA");
  stranger.WriteCa(Path("stranger.pem"));
  TlsClientOptions wrong_ca;
  wrong_ca.ca_file = Path("stranger.pem");
  TestAttempt refused;
  SendAndWait(HttpsPool(wrong_ca), refused);
  ExpectTlsError(refused, "certificate");
  EXPECT_TRUE(peer_->requests().empty());

  TlsClientOptions no_verify = wrong_ca;
  no_verify.verify = false;
  auto pool = client_->PoolFor(*Url::Parse(peer_->Url()), "unverified", &no_verify);
  ASSERT_TRUE(pool.ok());
  TestAttempt accepted;
  SendAndWait(*pool, accepted);
  EXPECT_EQ(accepted.outcome.error, RequestError::kNone) << accepted.outcome.detail();
  EXPECT_EQ(peer_->requests().size(), 1u);
}

TEST_F(HttpsClientTest, APlaintextServerOnAnHttpsUrlIsATlsError) {
  StartTlsPeer();
  peer_->OnFirstBytes(
      [] { return RawHttpPeer::Reply::Answer("HTTP/1.1 400 Bad Request\r\n\r\n", true); });
  StartClient();
  TestAttempt attempt;
  SendAndWait(HttpsPool(TrustTestCa()), attempt);
  ExpectTlsError(attempt, "");
  EXPECT_FALSE(attempt.outcome.detail().empty());
}

TEST_F(HttpsClientTest, GarbageInsteadOfAServerHelloIsATlsError) {
  StartTlsPeer();
  peer_->OnFirstBytes([] { return RawHttpPeer::Reply::Answer(std::string(300, '\x16')); });
  StartClient();
  TestAttempt attempt;
  SendAndWait(HttpsPool(TrustTestCa()), attempt);
  ExpectTlsError(attempt, "");
}

TEST_F(HttpsClientTest, AServerThatClosesMidHandshakeIsATlsError) {
  StartTlsPeer();
  peer_->OnFirstBytes([] { return RawHttpPeer::Reply::CloseWithoutAnswer(); });
  StartClient();
  TestAttempt attempt;
  SendAndWait(HttpsPool(TrustTestCa()), attempt);
  ExpectTlsError(attempt, "handshake");
}

TEST_F(HttpsClientTest, MutualTlsWorksWithAClientCertificateAndFailsWithout) {
  StartTlsPeer(kOk, nullptr, /*require_client_cert=*/true);
  StartClient();
  TestAttempt without;
  SendAndWait(HttpsPool(TrustTestCa()), without);
  EXPECT_EQ(without.outcome.error, RequestError::kTlsError)
      << RequestErrorName(without.outcome.error) << ": " << without.outcome.detail();
  EXPECT_TRUE(peer_->requests().empty());

  const TestCert client_cert = pki_.Leaf({"DNS:hookfan-client"}, -1, 30, /*client=*/true);
  client_cert.Write(Path("client.pem"), Path("client.key"));
  TlsClientOptions mutual = TrustTestCa();
  mutual.cert_file = Path("client.pem");
  mutual.key_file = Path("client.key");
  auto pool = client_->PoolFor(*Url::Parse(peer_->Url()), "mutual", &mutual);
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  TestAttempt with;
  SendAndWait(*pool, with);
  EXPECT_EQ(with.outcome.error, RequestError::kNone) << with.outcome.detail();
  EXPECT_EQ(peer_->requests().size(), 1u);
}

}  // namespace
}  // namespace hookfan::net::testing
