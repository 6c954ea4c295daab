#include "net/client/origin_pool.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "net/base/clock.h"
#include "tests/net/client_fixture.h"

namespace hookfan::net {
namespace {

using testing::ClientFixture;
using testing::kOk;
using testing::RawHttpPeer;
using testing::TestAttempt;

class OriginPoolTest : public ClientFixture {};

TEST_F(OriginPoolTest, KeepAliveConnectionIsReused) {
  StartPeer(kOk);
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt first, second;
  SendAndWait(pool, first);
  SendAndWait(pool, second);
  EXPECT_EQ(second.outcome.status, 200);
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.connects, 1u);
  EXPECT_EQ(stats.reuses, 1u);
  EXPECT_EQ(stats.idle, 1u);
  EXPECT_EQ(stats.in_flight, 0u);
  EXPECT_EQ(stats.completed, 2u);
  EXPECT_EQ(stats.errors, 0u);
  EXPECT_EQ(peer_->connections_accepted(), 1);
}

TEST_F(OriginPoolTest, SendFromTheCallbackReusesTheSameConnection) {
  StartPeer(kOk);
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  int remaining = 20;
  attempt.then = [&](TestAttempt& a) {
    if (--remaining > 0) {
      ASSERT_TRUE(client_->Send(pool, &a.request).ok());
    }
  };
  Send(pool, attempt);
  RunUntil([&] { return remaining == 0; });
  EXPECT_EQ(attempt.calls, 20);
  EXPECT_EQ(pool->Stats().connects, 1u);
  EXPECT_EQ(pool->Stats().reuses, 19u);
}

TEST_F(OriginPoolTest, ConnectionCloseResponseIsNotReused) {
  StartPeer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt first, second;
  SendAndWait(pool, first);
  EXPECT_EQ(pool->Stats().idle, 0u);
  SendAndWait(pool, second);
  EXPECT_EQ(second.outcome.status, 200);
  EXPECT_EQ(pool->Stats().connects, 2u);
  EXPECT_EQ(pool->Stats().reuses, 0u);
}

TEST_F(OriginPoolTest, Http10ResponseIsNotReused) {
  StartPeer("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n");
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt first, second;
  SendAndWait(pool, first);
  SendAndWait(pool, second);
  EXPECT_EQ(second.outcome.status, 200);
  EXPECT_EQ(pool->Stats().connects, 2u);
}

TEST_F(OriginPoolTest, ExtraBytesAfterTheResponseMeanNoReuse) {
  StartPeer(std::string(kOk) + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt first, second;
  SendAndWait(pool, first);
  EXPECT_EQ(first.outcome.status, 200);
  EXPECT_EQ(pool->Stats().idle, 0u);
  SendAndWait(pool, second);
  EXPECT_EQ(pool->Stats().connects, 2u);
}

TEST_F(OriginPoolTest, PeerClosingAnIdleConnectionIsDetected) {
  // The response promises keep-alive, then the peer closes anyway (its idle timeout).
  StartPeer([](const RawHttpPeer::Request&) {
    return RawHttpPeer::Reply::Answer(std::string(kOk), true);
  });
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt first, second;
  SendAndWait(pool, first);
  RunUntil([&] { return pool->Stats().idle == 0; });
  EXPECT_EQ(pool->Stats().idle_closed, 1u);
  EXPECT_EQ(pool->Stats().open_connections, 0u);

  SendAndWait(pool, second);
  EXPECT_EQ(second.outcome.status, 200);
  EXPECT_EQ(pool->Stats().connects, 2u);
  EXPECT_EQ(pool->Stats().retries, 0u);
}

TEST_F(OriginPoolTest, StrayBytesOnAnIdleConnectionCloseIt) {
  StartPeer(kOk);
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  ASSERT_EQ(pool->Stats().idle, 1u);
  peer_->Respond(0, "HTTP/1.1 200 OK\r\n");  // nobody asked
  RunUntil([&] { return pool->Stats().idle == 0; });
  EXPECT_EQ(pool->Stats().idle_closed, 1u);
}

TEST_F(OriginPoolTest, IdleTimeoutClosesIdleConnections) {
  StartPeer(kOk);
  ClientOptions options;
  options.idle_timeout = 20;
  StartClient(options);
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  RunUntil([&] { return pool->Stats().idle == 0; });
  EXPECT_EQ(pool->Stats().idle_closed, 1u);
  RunUntil([&] { return peer_->connections_closed_by_client() == 1; });
}

TEST_F(OriginPoolTest, ReusedConnectionFailingBeforeTheFirstByteIsRetriedOnce) {
  // Connection 0 answers its first request, then dies on the second as if it had timed
  // out just as we wrote: the pool retries on a fresh connection, transparently.
  StartPeer([](const RawHttpPeer::Request& r) {
    if (r.connection == 0 && r.index == 1) return RawHttpPeer::Reply::CloseWithoutAnswer();
    return RawHttpPeer::Reply::Answer(std::string(kOk));
  });
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt first, second;
  SendAndWait(pool, first);
  SendAndWait(pool, second);
  EXPECT_EQ(second.calls, 1);
  EXPECT_TRUE(second.outcome.ok_response());
  EXPECT_EQ(second.outcome.status, 200);
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.retries, 1u);
  EXPECT_EQ(stats.connects, 2u);
  EXPECT_EQ(stats.errors, 0u);
  ASSERT_EQ(peer_->requests().size(), 3u);
  EXPECT_EQ(peer_->requests()[2].connection, 1);
}

TEST_F(OriginPoolTest, RetryHappensOnlyOnce) {
  // After the first response every request dies without an answer: the fresh connection's
  // failure is reported, not retried again.
  StartPeer([](const RawHttpPeer::Request& r) {
    if (r.connection == 0 && r.index == 0) return RawHttpPeer::Reply::Answer(std::string(kOk));
    return RawHttpPeer::Reply::CloseWithoutAnswer();
  });
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt first, second;
  SendAndWait(pool, first);
  SendAndWait(pool, second);
  EXPECT_EQ(second.calls, 1);
  EXPECT_EQ(second.outcome.error, RequestError::kConnectionReset);
  EXPECT_EQ(pool->Stats().retries, 1u);
  EXPECT_EQ(pool->Stats().connects, 2u);
  EXPECT_EQ(peer_->requests().size(), 3u);
}

TEST_F(OriginPoolTest, FirstRequestOnAFreshConnectionIsNotRetried) {
  StartPeer([](const RawHttpPeer::Request&) { return RawHttpPeer::Reply::CloseWithoutAnswer(); });
  StartClient();
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt attempt;
  SendAndWait(pool, attempt);
  EXPECT_EQ(attempt.outcome.error, RequestError::kConnectionReset);
  EXPECT_EQ(pool->Stats().retries, 0u);
  EXPECT_EQ(peer_->requests().size(), 1u);
}

TEST_F(OriginPoolTest, MaxConnectionsPerOriginQueuesTheRest) {
  StartPeer([](const RawHttpPeer::Request& r) {
    // The first request on each connection waits for the test; later ones are answered.
    if (r.index == 0) return RawHttpPeer::Reply::Hold();
    return RawHttpPeer::Reply::Answer(std::string(kOk));
  });
  ClientOptions options;
  options.max_connections_per_origin = 2;
  StartClient(options);
  OriginPool* pool = PoolFor(peer_->Url());
  std::deque<TestAttempt> attempts(5);
  for (TestAttempt& a : attempts) Send(pool, a);
  RunUntil([&] { return peer_->requests().size() == 2; });
  PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.open_connections, 2u);
  EXPECT_EQ(stats.in_flight, 2u);
  EXPECT_EQ(stats.queued, 3u);
  EXPECT_EQ(peer_->connections_accepted(), 2);

  peer_->Respond(0, std::string(kOk));
  peer_->Respond(1, std::string(kOk));
  RunUntil([&] { return pool->Stats().completed == 5; });
  for (const TestAttempt& a : attempts) {
    EXPECT_EQ(a.calls, 1);
    EXPECT_EQ(a.outcome.status, 200);
  }
  stats = pool->Stats();
  EXPECT_EQ(stats.connects, 2u);
  EXPECT_EQ(stats.reuses, 3u);
  EXPECT_EQ(stats.queued, 0u);
  EXPECT_EQ(peer_->connections_accepted(), 2);
}

TEST_F(OriginPoolTest, QueuedRequestsAreServedInFifoOrder) {
  StartPeer(kOk);
  ClientOptions options;
  options.max_connections_per_origin = 1;
  StartClient(options);
  OriginPool* pool = PoolFor(peer_->Url());
  std::deque<TestAttempt> attempts;
  for (int i = 0; i < 4; ++i) attempts.emplace_back(std::to_string(i));
  for (TestAttempt& a : attempts) Send(pool, a);
  EXPECT_EQ(pool->Stats().queued, 3u);
  // A request sent from a callback queues behind those already waiting.
  TestAttempt late("late");
  attempts[0].then = [&](TestAttempt&) { ASSERT_TRUE(client_->Send(pool, &late.request).ok()); };
  RunUntil([&] { return late.calls == 1; });
  std::vector<std::string> bodies;
  for (const RawHttpPeer::Request& r : peer_->requests()) bodies.push_back(r.body);
  EXPECT_EQ(bodies, (std::vector<std::string>{"0", "1", "2", "3", "late"}));
  EXPECT_EQ(pool->Stats().connects, 1u);
}

// Issue 9, defect 8: a request queued behind its pool's busy connections has not been tried
// yet; its total timeout starts when a connection takes it. (It used to start at Send, so
// the wait behind a slow receiver's other requests turned into timeouts of its own.)
TEST_F(OriginPoolTest, TheTotalTimeoutStartsWhenAConnectionTakesTheRequest) {
  StartPeer([](const RawHttpPeer::Request&) { return RawHttpPeer::Reply::Hold(); });
  ClientOptions options;
  options.max_connections_per_origin = 1;
  options.total_timeout = 300;
  StartClient(options);
  OriginPool* pool = PoolFor(peer_->Url());
  TestAttempt running, waiting, held;
  Send(pool, running);
  Send(pool, waiting);
  EXPECT_EQ(pool->Stats().queued, 1u);
  RunFor(200);
  peer_->Respond(0, std::string(kOk));
  RunUntil([&] { return running.calls == 1 && peer_->requests().size() == 2; });
  // 400 ms after its Send, 200 ms after a connection took it: still within its 300 ms.
  RunFor(200);
  EXPECT_EQ(waiting.calls, 0);
  peer_->Respond(0, std::string(kOk));
  RunUntil([&] { return waiting.calls == 1; });
  EXPECT_EQ(running.outcome.status, 200);
  EXPECT_EQ(waiting.outcome.status, 200);

  // A request that gets no answer still times out, counted from when it was written.
  const TimeMs sent_at = MonotonicNowMs();
  Send(pool, held);
  RunUntil([&] { return held.calls == 1; });
  EXPECT_EQ(held.outcome.error, RequestError::kTotalTimeout);
  EXPECT_GE(MonotonicNowMs() - sent_at, 290);
  EXPECT_EQ(pool->Stats().errors, 1u);
}

// Pools are per owner: one owner's queue and connections are not another's, even to the
// same origin.
TEST_F(OriginPoolTest, EachOwnerHasItsOwnPoolForTheSameOrigin) {
  StartPeer([](const RawHttpPeer::Request& r) {
    if (r.head.starts_with("POST /slow ")) return RawHttpPeer::Reply::Hold();
    return RawHttpPeer::Reply::Answer(std::string(kOk));
  });
  ClientOptions options;
  options.max_connections_per_origin = 2;
  StartClient(options);
  StatusOr<Url> slow_url = Url::Parse(peer_->Url("/slow"));
  StatusOr<Url> fast_url = Url::Parse(peer_->Url("/fast"));
  ASSERT_TRUE(slow_url.ok() && fast_url.ok());
  OriginPool* slow = *client_->PoolFor(*slow_url, "slow");
  OriginPool* fast = *client_->PoolFor(*fast_url, "fast");
  EXPECT_NE(slow, fast);
  EXPECT_EQ(*client_->PoolFor(*fast_url, "fast"), fast);  // same owner and origin: same pool
  EXPECT_EQ(client_->pool_count(), 2u);
  std::deque<TestAttempt> stuck(5);
  for (TestAttempt& a : stuck) {
    a.request.path_and_query = "/slow";
    Send(slow, a);
  }
  EXPECT_EQ(slow->Stats().queued, 3u);
  TestAttempt quick;
  quick.request.path_and_query = "/fast";
  SendAndWait(fast, quick);
  EXPECT_EQ(quick.outcome.status, 200);
  EXPECT_EQ(fast->Stats().queued, 0u);
  for (const TestAttempt& a : stuck) EXPECT_EQ(a.calls, 0);
  CloseClient();  // while the attempts it cancels are still alive
  RunUntil([&] { return client_closed_; });
  for (const TestAttempt& a : stuck) EXPECT_EQ(a.outcome.error, RequestError::kCancelled);
}

}  // namespace
}  // namespace hookfan::net
