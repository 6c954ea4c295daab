#pragma once
// One asynchronous Redis connection on a libuv loop (hiredis, attached with a uv_poll_t), with
// std::function reply callbacks. Every command's callback runs exactly once: with the
// reply, or with nullptr when the connection is lost or closed first.
//
//   RedisConnection connection(&loop, [](Status s) { ... connected or not ... },
//                              [](const std::string& why) { ... lost ... });
//   connection.Connect(address);
//   connection.Command({"PING"}, [](redisReply* reply) { ... });
//
// Loop thread only. After on_lost (or a failed on_connected) the connection is gone for
// good: make a new one to reconnect. Destroying it (or Close) fails pending callbacks.

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "net/base/status.h"
#include "sources/redis/redis_url.h"

struct redisAsyncContext;
struct redisReply;

namespace hookfan::sources {

class RedisConnection {
 public:
  using ReplyCallback = std::function<void(redisReply* reply)>;

  RedisConnection(uv_loop_t* loop, std::function<void(Status)> on_connected,
                  std::function<void(const std::string&)> on_lost);
  ~RedisConnection();  // Close()
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Starts connecting; on_connected follows once (or an error now, without callback).
  Status Connect(const RedisAddress& address);
  // Queued even before the connection is up (sent once it is). False (and no callback)
  // when the connection is gone.
  bool Command(const std::vector<std::string>& args, ReplyCallback callback);
  // Drops the connection now; pending callbacks get nullptr; on_lost is not called.
  void Close();

  bool connected() const { return connected_; }
  bool alive() const { return context_ != nullptr; }
  std::uint64_t commands_sent() const { return commands_sent_; }

 private:
  static void OnConnect(const redisAsyncContext* context, int status);
  static void OnDisconnect(const redisAsyncContext* context, int status);
  static void OnReply(redisAsyncContext* context, void* reply, void* privdata);

  uv_loop_t* loop_;
  std::function<void(Status)> on_connected_;
  std::function<void(const std::string&)> on_lost_;
  redisAsyncContext* context_ = nullptr;
  bool connected_ = false;
  bool closing_ = false;
  std::uint64_t commands_sent_ = 0;
};

// Reply helpers: a reply's text (status, error or bulk string), "" otherwise.
std::string_view ReplyText(const redisReply* reply);
bool ReplyIsError(const redisReply* reply);

}  // namespace hookfan::sources
