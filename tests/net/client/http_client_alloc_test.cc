// Steady-state requests on a keep-alive connection must not allocate (net/client/http_client.h
// contract). This binary replaces the global operator new to count allocations made on the
// test's own thread; the peer runs on another thread with blocking sockets so that its own
// allocations are not counted.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>

#include "net/client/http_client.h"

namespace {
thread_local bool counting = false;
thread_local long allocations = 0;
}  // namespace

// GCC 12 at -O1 (the sanitizer flavour) inlines these into gtest's `new TestClass` and then
// warns that free() meets a pointer from operator new: it is this operator new's malloc.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  if (counting) ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace hookfan::net {
namespace {

// Accepts one connection on 127.0.0.1 and answers every request with a fixed 200.
class BlockingPeer {
 public:
  BlockingPeer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    HOOKFAN_CHECK(bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    HOOKFAN_CHECK(listen(listen_fd_, 4) == 0);
    socklen_t length = sizeof(address);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~BlockingPeer() {
    thread_.join();
    close(listen_fd_);
  }
  int port() const { return port_; }
  long requests() const { return requests_.load(); }

 private:
  void Serve() {
    const int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    static constexpr std::string_view kReply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    std::string buffer;
    char chunk[4096];
    while (true) {
      const ssize_t n = read(fd, chunk, sizeof(chunk));
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
      while (true) {
        const std::size_t head_end = buffer.find("\r\n\r\n");
        if (head_end == std::string::npos) break;
        const std::size_t at = buffer.find("Content-Length: ");
        const std::size_t body = std::strtoul(buffer.c_str() + at + 16, nullptr, 10);
        if (buffer.size() < head_end + 4 + body) break;
        buffer.erase(0, head_end + 4 + body);
        ++requests_;
        if (write(fd, kReply.data(), kReply.size()) != static_cast<ssize_t>(kReply.size())) break;
      }
    }
    close(fd);
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<long> requests_{0};
  std::thread thread_;
};

struct Chain {
  HttpRequest request;
  HttpClient* client = nullptr;
  OriginPool* pool = nullptr;
  int remaining = 0;
  int completed = 0;
  int failures = 0;
};

void OnComplete(HttpRequest* request, const RequestOutcome& outcome) {
  auto* chain = static_cast<Chain*>(request->context);
  ++chain->completed;
  if (outcome.status != 200) ++chain->failures;
  if (--chain->remaining > 0 && !chain->client->Send(chain->pool, request).ok()) ++chain->failures;
}

TEST(HttpClientAllocationTest, SteadyStateRequestsAllocateNothing) {
  BlockingPeer peer;
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  {
    HttpClient client(&loop, ClientOptions{});
    StatusOr<Url> url =
        Url::Parse("http://127.0.0.1:" + std::to_string(peer.port()) + "/hooks?k=v");
    ASSERT_TRUE(url.ok());
    OriginPool* pool = *client.PoolFor(*url);
    const std::string body(512, 'b');
    Chain chain;
    chain.client = &client;
    chain.pool = pool;
    chain.request.path_and_query = url->path_and_query;
    chain.request.extra_headers = "webhook-id: msg_1\r\nwebhook-signature: v1,abc\r\n";
    chain.request.body = body;
    chain.request.context = &chain;
    chain.request.on_complete = &OnComplete;

    chain.remaining = 10;  // warm-up: connect, grow buffers
    ASSERT_TRUE(client.Send(pool, &chain.request).ok());
    while (chain.remaining > 0) uv_run(&loop, UV_RUN_ONCE);

    // The counter itself works.
    counting = true;
    int* volatile probe = new int(1);
    delete probe;
    counting = false;
    ASSERT_EQ(allocations, 1);
    allocations = 0;

    chain.remaining = 200;
    counting = true;
    const Status sent = client.Send(pool, &chain.request);
    while (chain.remaining > 0) uv_run(&loop, UV_RUN_ONCE);
    counting = false;
    ASSERT_TRUE(sent.ok());

    EXPECT_EQ(allocations, 0);
    EXPECT_EQ(chain.completed, 210);
    EXPECT_EQ(chain.failures, 0);
    EXPECT_EQ(client.Stats(pool).connects, 1u);

    bool closed = false;
    client.Close([&closed] { closed = true; });
    while (!closed) uv_run(&loop, UV_RUN_ONCE);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
  EXPECT_EQ(peer.requests(), 210);
}

}  // namespace
}  // namespace hookfan::net
