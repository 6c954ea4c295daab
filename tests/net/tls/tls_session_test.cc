// TlsSession and TlsContext without sockets: a client and a server session piped into each
// other in memory, with certificates the test makes (tests/net/tls/test_pki.h).
#include "net/tls/tls_session.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/net/tls/test_pki.h"
#include "tests/tools/temp_files.h"

namespace hookfan::net {
namespace {

using testing::TestCert;
using testing::TestPki;

struct Files {
  std::string dir = test::MakeTempDir();
  std::string Path(const std::string& name) const { return dir + "/" + name; }
};

std::unique_ptr<TlsContext> ServerContext(const Files& files, const TestCert& leaf,
                                          const std::string& client_ca = "") {
  leaf.Write(files.Path("server.pem"), files.Path("server.key"));
  TlsServerOptions options;
  options.cert_file = files.Path("server.pem");
  options.key_file = files.Path("server.key");
  options.client_ca_file = client_ca;
  auto context = TlsContext::Server(options);
  EXPECT_TRUE(context.ok()) << context.status().ToString();
  return context.ok() ? std::move(*context) : nullptr;
}

std::unique_ptr<TlsContext> ClientContext(const Files& files, const TestPki& pki,
                                          bool verify = true) {
  pki.WriteCa(files.Path("ca.pem"));
  TlsClientOptions options;
  options.ca_file = files.Path("ca.pem");
  options.verify = verify;
  auto context = TlsContext::Client(options);
  EXPECT_TRUE(context.ok()) << context.status().ToString();
  return context.ok() ? std::move(*context) : nullptr;
}

// Moves bytes both ways until neither side has anything to send (a failed side's alert
// still reaches the other).
void Pump(TlsSession& client, TlsSession& server, std::string* client_in = nullptr,
          std::string* server_in = nullptr) {
  std::string scratch_client, scratch_server;
  if (client_in == nullptr) client_in = &scratch_client;
  if (server_in == nullptr) server_in = &scratch_server;
  for (int round = 0; round < 20 && (client.has_output() || server.has_output()); ++round) {
    std::string wire;
    client.TakeOutput(&wire);
    if (!wire.empty()) (void)server.Receive(wire, server_in);
    wire.clear();
    server.TakeOutput(&wire);
    if (!wire.empty()) (void)client.Receive(wire, client_in);
  }
}

TEST(TlsSessionTest, HandshakeVerifiesTheIpAndCarriesBytesBothWays) {
  Files files;
  TestPki pki;
  auto server_context = ServerContext(files, pki.Leaf({"IP:127.0.0.1", "DNS:localhost"}));
  auto client_context = ClientContext(files, pki);
  TlsSession client(*client_context, "127.0.0.1", "https://127.0.0.1:443");
  TlsSession server(*server_context, "", "");
  client.Start();
  Pump(client, server);
  ASSERT_TRUE(client.handshake_done()) << client.detail();
  ASSERT_TRUE(server.handshake_done()) << server.detail();
  EXPECT_EQ(client.alpn(), "http/1.1");
  EXPECT_FALSE(client.resumed());

  std::string at_server, at_client;
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\n\r\n"));
  Pump(client, server, &at_client, &at_server);
  EXPECT_EQ(at_server, "POST / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(server.Send("HTTP/1.1 204 No Content\r\n\r\n"));
  Pump(client, server, &at_client, &at_server);
  EXPECT_EQ(at_client, "HTTP/1.1 204 No Content\r\n\r\n");
  EXPECT_EQ(client_context->stats().full_handshakes, 1u);
}

TEST(TlsSessionTest, LocalhostNameVerifies) {
  Files files;
  TestPki pki;
  auto server_context = ServerContext(files, pki.Leaf({"IP:127.0.0.1", "DNS:localhost"}));
  auto client_context = ClientContext(files, pki);
  TlsSession client(*client_context, "localhost", "https://localhost:443");
  TlsSession server(*server_context, "", "");
  client.Start();
  Pump(client, server);
  EXPECT_TRUE(client.handshake_done()) << client.detail();
}

struct Failure {
  TlsError error;
  std::string detail;
};

Failure HandshakeAgainst(const TestCert& leaf, const TestPki& trusted, const char* host,
                         bool verify = true) {
  Files files;
  auto server_context = ServerContext(files, leaf);
  auto client_context = ClientContext(files, trusted, verify);
  TlsSession client(*client_context, host, std::string("https://") + host);
  TlsSession server(*server_context, "", "");
  client.Start();
  Pump(client, server);
  EXPECT_EQ(client.handshake_done(), client.error() == TlsError::kNone);
  if (client.error() != TlsError::kNone) {
    EXPECT_EQ(client_context->stats().failed_handshakes, 1u);
  }
  return {client.error(), client.detail()};
}

TEST(TlsSessionTest, ExpiredCertificateIsACertificateError) {
  TestPki pki;
  const Failure f = HandshakeAgainst(pki.Leaf({"IP:127.0.0.1"}, -30, -1), pki, "127.0.0.1");
  EXPECT_EQ(f.error, TlsError::kCertificateVerify);
  EXPECT_EQ(f.detail, "certificate has expired");
}

TEST(TlsSessionTest, WrongHostNameIsACertificateError) {
  TestPki pki;
  const Failure name = HandshakeAgainst(pki.Leaf({"DNS:other.test"}), pki, "localhost");
  EXPECT_EQ(name.error, TlsError::kCertificateVerify);
  EXPECT_EQ(name.detail, "hostname mismatch");
  const Failure ip = HandshakeAgainst(pki.Leaf({"IP:127.0.0.2"}), pki, "127.0.0.1");
  EXPECT_EQ(ip.error, TlsError::kCertificateVerify);
  EXPECT_EQ(ip.detail, "IP address mismatch");
}

TEST(TlsSessionTest, UnknownCaIsACertificateErrorUnlessVerificationIsOff) {
  TestPki pki;
  TestPki other("another CA");
  const TestCert leaf = pki.Leaf({"IP:127.0.0.1"});
  const Failure f = HandshakeAgainst(leaf, other, "127.0.0.1");
  EXPECT_EQ(f.error, TlsError::kCertificateVerify);
  EXPECT_EQ(f.detail, "unable to get local issuer certificate");
  EXPECT_EQ(HandshakeAgainst(leaf, other, "127.0.0.1", /*verify=*/false).error, TlsError::kNone);
}

TEST(TlsSessionTest, PlaintextHttpOrGarbageInsteadOfAHandshakeIsAHandshakeError) {
  Files files;
  TestPki pki;
  auto client_context = ClientContext(files, pki);
  for (const std::string& reply :
       {std::string("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"),
        std::string("\x16\x03\x03\xff\xff garbage", 14), std::string(3000, '\xee')}) {
    TlsSession client(*client_context, "127.0.0.1", "https://127.0.0.1");
    client.Start();
    std::string hello;
    client.TakeOutput(&hello);
    EXPECT_FALSE(hello.empty()) << "the ClientHello";
    std::string plaintext;
    EXPECT_FALSE(client.Receive(reply, &plaintext));
    EXPECT_EQ(client.error(), TlsError::kHandshake);
    EXPECT_FALSE(client.detail().empty());
    EXPECT_TRUE(plaintext.empty());
  }
}

TEST(TlsSessionTest, EofDuringTheHandshakeIsTyped) {
  Files files;
  TestPki pki;
  auto client_context = ClientContext(files, pki);
  TlsSession client(*client_context, "127.0.0.1", "https://127.0.0.1");
  client.Start();
  client.OnEof();
  EXPECT_EQ(client.error(), TlsError::kClosedDuringHandshake);
  EXPECT_EQ(TlsErrorName(client.error()), "tls_closed_during_handshake");
}

TEST(TlsSessionTest, TicketsAfterTheHandshakeAreNotDataAndTheNextSessionResumes) {
  Files files;
  TestPki pki;
  auto server_context = ServerContext(files, pki.Leaf({"IP:127.0.0.1"}));
  auto client_context = ClientContext(files, pki);
  const std::string origin = "https://127.0.0.1:8443";
  {
    TlsSession client(*client_context, "127.0.0.1", origin);
    TlsSession server(*server_context, "", "");
    client.Start();
    std::string at_client;
    Pump(client, server, &at_client);
    ASSERT_TRUE(client.handshake_done());
    // TLS 1.3 tickets came after the handshake: consumed, no plaintext, no error.
    EXPECT_TRUE(at_client.empty());
    EXPECT_EQ(client.error(), TlsError::kNone);
    EXPECT_NE(client_context->SessionFor(origin), nullptr) << "the new-session callback kept one";
    client.Shutdown();
    std::string at_server;
    Pump(client, server, nullptr, &at_server);
    EXPECT_TRUE(server.peer_closed()) << "close_notify reached the server";
  }
  TlsSession again(*client_context, "127.0.0.1", origin);
  TlsSession server(*server_context, "", "");
  again.Start();
  Pump(again, server);
  ASSERT_TRUE(again.handshake_done()) << again.detail();
  EXPECT_TRUE(again.resumed());
  EXPECT_EQ(client_context->stats().full_handshakes, 1u);
  EXPECT_EQ(client_context->stats().resumed_handshakes, 1u);
  // Another origin has no session to offer.
  TlsSession elsewhere(*client_context, "127.0.0.1", "https://127.0.0.1:9443");
  TlsSession server2(*server_context, "", "");
  elsewhere.Start();
  Pump(elsewhere, server2);
  EXPECT_FALSE(elsewhere.resumed());
}

TEST(TlsSessionTest, MutualTlsWorksWithAClientCertificateAndFailsWithout) {
  Files files;
  TestPki pki;
  pki.WriteCa(files.Path("ca.pem"));
  auto server_context = ServerContext(files, pki.Leaf({"IP:127.0.0.1"}), files.Path("ca.pem"));
  pki.Leaf({}, -1, 30, /*client=*/true).Write(files.Path("client.pem"), files.Path("client.key"));

  TlsClientOptions with_cert;
  with_cert.ca_file = files.Path("ca.pem");
  with_cert.cert_file = files.Path("client.pem");
  with_cert.key_file = files.Path("client.key");
  auto mtls = TlsContext::Client(with_cert);
  ASSERT_TRUE(mtls.ok()) << mtls.status().ToString();
  {
    TlsSession client(**mtls, "127.0.0.1", "https://127.0.0.1");
    TlsSession server(*server_context, "", "");
    client.Start();
    Pump(client, server);
    std::string at_server;
    ASSERT_TRUE(client.Send("ping"));
    Pump(client, server, nullptr, &at_server);
    EXPECT_EQ(at_server, "ping");
    EXPECT_EQ(server.error(), TlsError::kNone);
  }
  auto plain = ClientContext(files, pki);
  TlsSession client(*plain, "127.0.0.1", "https://127.0.0.1");
  TlsSession server(*server_context, "", "");
  client.Start();
  Pump(client, server);
  // TLS 1.3: the client finishes first and learns of the refusal from the server's alert.
  if (client.error() == TlsError::kNone) {
    std::string at_server;
    (void)client.Send("ping");
    Pump(client, server, nullptr, &at_server);
    EXPECT_TRUE(at_server.empty());
  }
  EXPECT_NE(server.error(), TlsError::kNone);
  EXPECT_NE(client.error(), TlsError::kNone);
  EXPECT_NE(client.detail().find("certificate required"), std::string::npos) << client.detail();
}

TEST(TlsContextTest, BadFilesNameTheFieldAndTheProblem) {
  Files files;
  TestPki pki;
  TlsClientOptions missing;
  missing.ca_file = files.Path("nope.pem");
  missing.ca_field = "endpoints[0].tls_ca_file";
  EXPECT_EQ(TlsContext::Client(missing).status().message(),
            "endpoints[0].tls_ca_file: cannot read '" + files.Path("nope.pem") +
                "': No such file or directory");

  const std::string garbage = test::WriteTempFile("garbage.pem", "not a certificate\n");
  TlsClientOptions bad_ca;
  bad_ca.ca_file = garbage;
  EXPECT_NE(TlsContext::Client(bad_ca).status().message().find("tls_ca_file: '" + garbage +
                                                               "' holds no PEM certificate"),
            std::string::npos)
      << TlsContext::Client(bad_ca).status().message();

  const TestCert one = pki.Leaf({"IP:127.0.0.1"});
  const TestCert two = pki.Leaf({"IP:127.0.0.1"});
  one.WriteCert(files.Path("one.pem"));
  two.WriteKey(files.Path("two.key"));
  TlsServerOptions mismatch;
  mismatch.cert_file = files.Path("one.pem");
  mismatch.key_file = files.Path("two.key");
  EXPECT_EQ(TlsContext::Server(mismatch).status().message(), "tls_key: '" + files.Path("two.key") +
                                                                 "' does not match tls_cert '" +
                                                                 files.Path("one.pem") + "'");

  TlsClientOptions half;
  half.cert_file = files.Path("one.pem");
  EXPECT_EQ(TlsContext::Client(half).status().message(),
            "tls_key_file: must be given together with tls_cert_file");
}

}  // namespace
}  // namespace hookfan::net
