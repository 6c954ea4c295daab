// LoopThreadCheck binds to the first thread that asks, so that an HttpClient or HttpServer
// built on one thread and driven by a loop on another passes its debug checks (issue 9,
// defect 6: the engine's workers build their client on the engine's thread, and the Debug
// build aborted at the first AddEndpoint). The last two tests do exactly that hand-over; in
// the ASan+UBSan flavour (debug checks on, tools/test.sh) they abort if the binding is wrong.
#include "net/base/loop_thread_check.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <future>
#include <memory>
#include <string>
#include <thread>

#include "net/client/http_client.h"
#include "net/server/http_server.h"
#include "tests/net/client_fixture.h"
#include "tests/net/loop_thread.h"
#include "tests/net/raw_http_client.h"
#include "tests/net/raw_http_peer.h"

namespace hookfan::net {
namespace {

TEST(LoopThreadCheckTest, TheFirstThreadToAskIsTheLoopThreadNotTheConstructingOne) {
  LoopThreadCheck check;  // constructed here, on the test thread
  EXPECT_FALSE(check.bound());
  bool first = false, again = false;
  std::thread loop_thread([&] {
    first = check.OnLoopThread();
    again = check.OnLoopThread();
  });
  loop_thread.join();
  EXPECT_TRUE(first);
  EXPECT_TRUE(again);
  EXPECT_TRUE(check.bound());
  EXPECT_FALSE(check.OnLoopThread()) << "the constructing thread is not the loop's thread";
}

TEST(LoopThreadCheckTest, AnotherThreadAfterBindingIsRefused) {
  LoopThreadCheck check;
  EXPECT_TRUE(check.OnLoopThread());
  bool other = true;
  std::thread([&] { other = check.OnLoopThread(); }).join();
  EXPECT_FALSE(other);
  EXPECT_TRUE(check.OnLoopThread());
}

// What an engine worker does: the client is constructed on one thread, then every call and
// callback happens on the thread that runs its loop.
TEST(LoopThreadCheckTest, HttpClientBuiltOffItsLoopThreadDeliversOnIt) {
  test::LoopThread loop;
  auto peer = loop.Run([&] {
    return std::make_unique<testing::RawHttpPeer>(loop.loop(), [](const auto&) {
      return testing::RawHttpPeer::Reply::Answer(std::string(testing::kOk));
    });
  });
  auto client = std::make_unique<HttpClient>(loop.loop(), ClientOptions{});  // test thread
  testing::TestAttempt attempt;
  std::promise<void> completed;
  attempt.then = [&](testing::TestAttempt&) { completed.set_value(); };
  loop.Run([&] {
    StatusOr<Url> url = Url::Parse("http://127.0.0.1:" + std::to_string(peer->port()) + "/hook");
    HOOKFAN_CHECK(url.ok());
    StatusOr<OriginPool*> pool = client->PoolFor(*url);
    HOOKFAN_CHECK(pool.ok());
    HOOKFAN_CHECK(client->Send(*pool, &attempt.request).ok());
  });
  completed.get_future().wait();
  EXPECT_EQ(attempt.calls, 1);
  EXPECT_TRUE(attempt.outcome.ok_response());
  EXPECT_EQ(attempt.outcome.status, 200);
  loop.Run([&] {
    client->Close([&] { client.reset(); });
    peer->Close();
  });
  loop.Stop();
  EXPECT_EQ(client, nullptr);
}

// The server is created before its loop thread starts (as a program that listens, then
// hands the loop to a thread would do); connections are then served on that thread.
TEST(LoopThreadCheckTest, HttpServerListenedOffItsLoopThreadServesOnIt) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  auto listened = HttpServer::Listen(
      &loop, {}, [](const ServerRequest&, HttpResponder r) { r.Respond(200, "served"); });
  ASSERT_TRUE(listened.ok()) << listened.status().ToString();
  std::unique_ptr<HttpServer> server = std::move(*listened);
  // The test thread asks the loop thread to close the server once it has its answer.
  uv_async_t close_server;
  close_server.data = server.get();
  ASSERT_EQ(uv_async_init(&loop, &close_server,
                          [](uv_async_t* async) {
                            static_cast<HttpServer*>(async->data)->Close([] {});
                            uv_close(reinterpret_cast<uv_handle_t*>(async), nullptr);
                          }),
            0);
  const int port = server->port();
  std::thread loop_thread([&] { uv_run(&loop, UV_RUN_DEFAULT); });
  test::RawHttpClient client(port);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: test\r\n\r\n"));
  std::optional<test::RawResponse> response = client.ReadResponse();
  uv_async_send(&close_server);
  loop_thread.join();  // the loop ends once the server has closed
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "served");
  server.reset();
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace hookfan::net
