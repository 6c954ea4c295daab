#include "net/server/http_server.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/net/loop_thread.h"
#include "tests/net/raw_http_client.h"

namespace hookfan::net {
namespace {

using test::LoopThread;
using test::RawHttpClient;
using test::RawResponse;
using End = RawHttpClient::End;

// Answers with the request body for requests that have one, else with the target.
void Echo(const ServerRequest& request, HttpResponder responder) {
  responder.Respond(200, request.body().empty() ? request.target() : request.body());
}

std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

std::string Post(std::string_view body) {
  return "POST /p HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + std::string(body);
}

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpServer::Handler handler, HttpServerOptions options = {}) {
    server_ = loop_.Run([&] {
      StatusOr<std::unique_ptr<HttpServer>> server =
          HttpServer::Listen(loop_.loop(), options, std::move(handler));
      HOOKFAN_CHECK(server.ok());
      return std::move(*server);
    });
    port_ = loop_.Run([&] { return server_->port(); });
  }

  HttpServerStats Stats() {
    return loop_.Run([&] { return server_->stats(); });
  }

  void TearDown() override { StopServer(); }

  // Closes the server and waits for the loop to finish with it.
  void StopServer() {
    if (server_ == nullptr) return;
    loop_.Run([&] { server_->Close([this] { server_.reset(); }); });
    loop_.Stop();
  }

  LoopThread loop_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

TEST_F(HttpServerTest, ListensOnTheChosenPortWhenAskedForZero) {
  Start(Echo);
  EXPECT_GT(port_, 0);
  RawHttpClient client(port_);
  EXPECT_TRUE(client.connected());
}

TEST_F(HttpServerTest, KeepAliveAnswersSeveralRequestsOnOneConnectionInOrder) {
  Start(Echo);
  RawHttpClient client(port_);
  for (const char* target : {"/one", "/two", "/three"}) {
    ASSERT_TRUE(client.Send(Get(target)));
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, target);
    EXPECT_EQ(response->Header("connection"), "");
    EXPECT_FALSE(response->Header("date").empty());
  }
  EXPECT_EQ(Stats().connections_accepted, 1u);
  EXPECT_EQ(Stats().requests, 3u);
}

TEST_F(HttpServerTest, PipelinedRequestsInOneWriteAreAnsweredInOrder) {
  Start(Echo);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Get("/a") + Post("body-b") + Get("/c")));
  for (const char* expected : {"/a", "body-b", "/c"}) {
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, expected);
  }
}

TEST_F(HttpServerTest, AnswersGivenOutOfOrderLeaveInRequestOrder) {
  // "/later" is answered by a timer after "/now" has been answered synchronously.
  struct Later {
    uv_timer_t timer;
    HttpResponder responder;
  };
  Start([this](const ServerRequest& request, HttpResponder responder) {
    if (request.path() != "/later") return responder.Respond(200, "now");
    auto* later = new Later{{}, std::move(responder)};
    uv_timer_init(loop_.loop(), &later->timer);
    later->timer.data = later;
    uv_timer_start(
        &later->timer,
        [](uv_timer_t* timer) {
          static_cast<Later*>(timer->data)->responder.Respond(200, "later");
          uv_close(reinterpret_cast<uv_handle_t*>(timer),
                   [](uv_handle_t* handle) { delete static_cast<Later*>(handle->data); });
        },
        1, 0);
  });
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Get("/later") + Get("/now") + Get("/later") + Get("/now")));
  for (const char* expected : {"later", "now", "later", "now"}) {
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, expected);
  }
}

TEST_F(HttpServerTest, ReadingPausesWhileTooManyAnswersAreOutstanding) {
  // The handler keeps every responder; a zero-delay timer answers them all in a batch.
  std::deque<HttpResponder> held;
  size_t most_held = 0;
  uv_timer_t timer;
  loop_.Run([&] {
    uv_timer_init(loop_.loop(), &timer);
    timer.data = &held;
  });
  HttpServerOptions options;
  options.max_pipelined = 2;
  Start(
      [&](const ServerRequest& request, HttpResponder responder) {
        held.push_back(std::move(responder));
        most_held = std::max(most_held, held.size());
        (void)request;
        uv_timer_start(
            &timer,
            [](uv_timer_t* t) {
              std::deque<HttpResponder> batch;
              batch.swap(*static_cast<std::deque<HttpResponder>*>(t->data));
              for (HttpResponder& r : batch) r.Respond(200, "ok");
            },
            0, 0);
      },
      options);
  RawHttpClient client(port_);
  std::string burst;
  for (int i = 0; i < 10; ++i) burst += Get("/n");
  ASSERT_TRUE(client.Send(burst));
  for (int i = 0; i < 10; ++i) {
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << i;
    EXPECT_EQ(response->status, 200);
  }
  EXPECT_EQ(Stats().requests, 10u);
  EXPECT_LE(loop_.Run([&] { return most_held; }), 2u);
  loop_.Run([&] { uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr); });
  loop_.Run([] {});  // one more loop turn: the timer's close is complete
}

TEST_F(HttpServerTest, BodyOverTheLimitGets413AndTheConnectionCloses) {
  HttpServerOptions options;
  options.limits.max_body_bytes = 1024;
  Start(Echo, options);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Post(std::string(2048, 'x'))));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_NE(response->body.find("body:"), std::string::npos);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
  EXPECT_EQ(Stats().requests, 0u);
  EXPECT_EQ(Stats().rejected, 1u);
}

TEST_F(HttpServerTest, ChunkedBodyOverTheLimitGets413) {
  HttpServerOptions options;
  options.limits.max_body_bytes = 8;
  Start(Echo, options);
  RawHttpClient client(port_);
  ASSERT_TRUE(
      client.Send("POST /p HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
}

TEST_F(HttpServerTest, HeadersOverTheLimitGet431AndTheConnectionCloses) {
  HttpServerOptions options;
  options.limits.max_header_bytes = 1024;
  Start(Echo, options);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Get("/", "X-Big: " + std::string(2000, 'v') + "\r\n")));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 431);
  EXPECT_NE(response->body.find("headers:"), std::string::npos);
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
}

TEST_F(HttpServerTest, TooManyHeaderLinesGet431) {
  HttpServerOptions options;
  options.limits.max_headers = 4;
  Start(Echo, options);
  RawHttpClient client(port_);
  std::string headers;
  for (int i = 0; i < 5; ++i) headers += "X-" + std::to_string(i) + ": v\r\n";
  ASSERT_TRUE(client.Send(Get("/", headers)));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 431);
}

TEST_F(HttpServerTest, MalformedRequestGets400AndTheConnectionCloses) {
  Start(Echo);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send("THIS IS NOT HTTP\r\n\r\n"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_NE(response->body.find("malformed"), std::string::npos);
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
  EXPECT_EQ(Stats().rejected, 1u);
}

TEST_F(HttpServerTest, MalformedRequestAfterAGoodOneIsAnsweredAfterIt) {
  Start(Echo);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Get("/good") + "GET / HTTP/1.1\r\nBad Header Line\r\n\r\n"));
  std::optional<RawResponse> good = client.ReadResponse();
  ASSERT_TRUE(good.has_value());
  EXPECT_EQ(good->body, "/good");
  std::optional<RawResponse> bad = client.ReadResponse();
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
}

TEST_F(HttpServerTest, SlowClientSendingHalfAHeaderIsClosedByTheHeaderTimeout) {
  HttpServerOptions options;
  options.header_timeout_ms = 50;
  Start(Echo, options);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: te"));
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
  EXPECT_EQ(Stats().timeouts, 1u);
  EXPECT_EQ(Stats().requests, 0u);
}

TEST_F(HttpServerTest, ConnectionThatSendsNothingIsClosedByTheHeaderTimeout) {
  HttpServerOptions options;
  options.header_timeout_ms = 50;
  Start(Echo, options);
  RawHttpClient client(port_);
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
  EXPECT_EQ(Stats().timeouts, 1u);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedByTheIdleTimeout) {
  HttpServerOptions options;
  options.idle_timeout_ms = 50;
  Start(Echo, options);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Get("/x")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
  EXPECT_EQ(Stats().timeouts, 1u);
}

TEST_F(HttpServerTest, SlowBodyIsClosedByTheBodyTimeout) {
  HttpServerOptions options;
  options.body_timeout_ms = 50;
  Start(Echo, options);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
  EXPECT_EQ(Stats().timeouts, 1u);
}

TEST_F(HttpServerTest, ConnectionCloseRequestIsAnsweredThenClosed) {
  Start(Echo);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Get("/bye", "Connection: close\r\n")));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "/bye");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
}

TEST_F(HttpServerTest, Http10WithoutKeepAliveIsAnsweredThenClosed) {
  Start(Echo);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send("GET /old HTTP/1.0\r\n\r\n"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "/old");
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
}

TEST_F(HttpServerTest, Http10KeepAliveStaysOpenAndSaysSo) {
  Start(Echo);
  RawHttpClient client(port_);
  for (const char* target : {"/a", "/b"}) {
    ASSERT_TRUE(
        client.Send("GET " + std::string(target) + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, target);
    EXPECT_EQ(response->Header("connection"), "keep-alive");
  }
}

TEST_F(HttpServerTest, ChunkedRequestBodyIsAcceptedAndDechunked) {
  Start(Echo);
  RawHttpClient client(port_);
  ASSERT_TRUE(
      client.Send("POST /p HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "hello world");
  ASSERT_TRUE(client.Send(Get("/after")));
  std::optional<RawResponse> after = client.ReadResponse();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->body, "/after");
}

TEST_F(HttpServerTest, RequestSentOneByteAtATimeIsParsed) {
  Start(Echo);
  RawHttpClient client(port_);
  std::string request =
      "POST /p HTTP/1.1\r\nHost: t\r\nX-Long-Header-Name: some value\r\nContent-Length: 11\r\n"
      "\r\nhello world";
  for (char c : request) ASSERT_TRUE(client.Send(std::string_view(&c, 1)));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "hello world");
}

TEST_F(HttpServerTest, HandlerSeesMethodPathQueryHeadersAndBody) {
  std::string seen;
  Start([&](const ServerRequest& request, HttpResponder responder) {
    seen = std::string(request.method()) + "|" + std::string(request.path()) + "|" +
           std::string(request.query()) + "|" +
           std::string(request.FindHeader("x-CUSTOM").value_or("none")) + "|" +
           std::string(request.body()) + "|" + std::to_string(request.headers().size());
    responder.Respond(204);
  });
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(
      "PUT /v1/events?a=1 HTTP/1.1\r\nHost: t\r\nX-Custom: yes\r\nContent-Length: 2\r\n\r\nhi"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 204);
  EXPECT_EQ(response->Header("content-length"), "");
  EXPECT_EQ(loop_.Run([&] { return seen; }), "PUT|/v1/events|a=1|yes|hi|3");
}

TEST_F(HttpServerTest, ExtraHeadersAndContentTypeAreSent) {
  Start([](const ServerRequest&, HttpResponder responder) {
    HttpHeader extra[] = {{"Retry-After", "30"}};
    responder.Respond(
        {.status = 503, .headers = extra, .content_type = "application/json", .body = "{}"});
  });
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Get("/")));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->Header("retry-after"), "30");
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(response->body, "{}");
}

TEST_F(HttpServerTest, HeadResponseHasLengthButNoBody) {
  Start([](const ServerRequest&, HttpResponder responder) { responder.Respond(200, "12345"); });
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n" + Get("/")));
  std::optional<RawResponse> head = client.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->Header("content-length"), "5");
  std::optional<RawResponse> get = client.ReadResponse();
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->body, "12345");
}

TEST_F(HttpServerTest, ExpectContinueGetsAnInterimAnswerBeforeTheBody) {
  Start(Echo);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(
      "POST /p HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  std::optional<RawResponse> interim = client.ReadResponse();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("hello"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
}

TEST_F(HttpServerTest, ExpectContinueWithATooLargeBodyGets413WithoutWaitingForIt) {
  HttpServerOptions options;
  options.limits.max_body_bytes = 10;
  Start(Echo, options);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(
      "POST /p HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 50\r\n\r\n"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
}

TEST_F(HttpServerTest, UnknownExpectationGets417) {
  Start(Echo);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Get("/", "Expect: something-else\r\n")));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 417);
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
}

TEST_F(HttpServerTest, ResponderDestroyedUnansweredSends500AndCloses) {
  Start([](const ServerRequest&, HttpResponder) {});
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Get("/")));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
  EXPECT_EQ(Stats().handler_dropped, 1u);
}

TEST_F(HttpServerTest, ResetDropsTheConnectionWithRst) {
  Start([](const ServerRequest&, HttpResponder responder) { responder.Reset(); });
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Get("/")));
  EXPECT_EQ(client.WaitForEnd(), End::kReset);
  EXPECT_EQ(Stats().resets, 1u);
}

TEST_F(HttpServerTest, PeerHalfCloseStillGetsEveryAnswer) {
  Start(Echo);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Get("/1") + Get("/2")));
  client.ShutdownWrite();
  for (const char* expected : {"/1", "/2"}) {
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, expected);
  }
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
}

TEST_F(HttpServerTest, CloseEndsOpenConnectionsAndCallsBack) {
  Start(Echo);
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Get("/")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  StopServer();
  EXPECT_EQ(server_, nullptr);  // the close callback ran and destroyed it
  EXPECT_EQ(client.WaitForEnd(), End::kClosed);
}

TEST_F(HttpServerTest, CloseWaitsForHeldResponders) {
  HttpResponder held;
  bool closed = false;
  Start([&](const ServerRequest&, HttpResponder responder) { held = std::move(responder); });
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(Get("/")));
  while (!loop_.Run([&] { return held.pending(); })) {
    // the request is on its way to the handler
  }
  loop_.Run([&] {
    server_->Close([&] { closed = true; });
    return 0;
  });
  EXPECT_FALSE(loop_.Run([&] { return closed; }));
  EXPECT_FALSE(loop_.Run([&] { return held.connection_open(); }));
  loop_.Run([&] { held.Respond(200, "too late"); });  // dropped: the connection is gone
  loop_.Run([&] { return 0; });
  EXPECT_TRUE(loop_.Run([&] { return closed; }));
  loop_.Run([&] { server_.reset(); });
}

TEST(HttpServerListenTest, BadHostIsRefusedNamingTheField) {
  LoopThread loop;
  StatusOr<std::unique_ptr<HttpServer>> server = loop.Run([&] {
    HttpServerOptions options;
    options.host = "not-an-ip";
    return HttpServer::Listen(loop.loop(), options, Echo);
  });
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(server.status().message().find("host"), std::string::npos);
}

TEST(HttpServerListenTest, PortInUseIsAnIoErrorNamingTheAddress) {
  LoopThread loop;
  std::unique_ptr<HttpServer> first = loop.Run(
      [&] { return std::move(*HttpServer::Listen(loop.loop(), HttpServerOptions{}, Echo)); });
  StatusOr<std::unique_ptr<HttpServer>> second = loop.Run([&] {
    HttpServerOptions options;
    options.port = first->port();
    return HttpServer::Listen(loop.loop(), options, Echo);
  });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIo);
  EXPECT_NE(second.status().message().find("127.0.0.1:" + std::to_string(first->port())),
            std::string::npos);
  loop.Run([&] { first->Close([&] { first.reset(); }); });
  loop.Stop();
}

}  // namespace
}  // namespace hookfan::net
