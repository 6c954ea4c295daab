#pragma once
// A real redis-server for tests: started on a free 127.0.0.1 port with no persistence
// (--save "" --appendonly no) in a temporary directory of its own, killed at the end.
// RedisClient is a blocking hiredis client for the test's own commands.
//
//   RedisServer redis;
//   ASSERT_TRUE(redis.started());
//   RedisClient client(redis.port());
//   client.Command({"XADD", "s", "*", "type", "a.b", "payload", "{}"});
//   redis.Kill(); redis.Start();   // a restart that loses everything

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

struct redisContext;
struct redisReply;

namespace hookfan::testing {

class RedisServer {
 public:
  // Start() on a free port; `extra_args` go to redis-server too ("--requirepass", "pw").
  explicit RedisServer(std::vector<std::string> extra_args = {});
  // Not started: Start() when the test wants it (an unreachable Redis first).
  struct Deferred {};
  explicit RedisServer(Deferred);
  ~RedisServer();  // Kill()
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts redis-server on port() (again after Kill) and waits until it answers PING.
  bool Start();
  void Kill();  // SIGKILL and reap
  void Kill(int signum);
  bool started() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string Url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  std::string dir_;
  std::vector<std::string> extra_args_;
};

struct ReplyDeleter {
  void operator()(redisReply* reply) const;
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

class RedisClient {
 public:
  explicit RedisClient(int port);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  bool connected() const { return context_ != nullptr; }
  // nullptr when the connection failed (it reconnects on the next call).
  ReplyPtr Command(const std::vector<std::string>& args);
  // Conveniences over Command; -1 on error.
  long long Integer(const std::vector<std::string>& args);
  std::string XAdd(const std::string& stream, const std::vector<std::string>& fields);
  long long GroupPending(const std::string& stream, const std::string& group);
  // Is `id` in the group's pending list?
  bool IsPending(const std::string& stream, const std::string& group, const std::string& id);
  // INFO commandstats "calls" of one command ("xack"), 0 when never called.
  long long CommandCalls(const std::string& command);

 private:
  int port_;
  redisContext* context_ = nullptr;
};

// The string value of `field` in a flat [name, value, ...] array reply ("" when absent).
std::string FieldOf(const redisReply* pairs, const std::string& field);

}  // namespace hookfan::testing
