#include "tests/support/redis_server.h"

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace hookfan::testing {
namespace {

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

RedisServer::RedisServer(Deferred) {
  char dir[] = "/tmp/hookfan_redis_XXXXXX";
  if (::mkdtemp(dir) != nullptr) dir_ = dir;
  port_ = FreeLoopbackPort();
}

RedisServer::RedisServer(std::vector<std::string> extra_args) : RedisServer(Deferred{}) {
  extra_args_ = std::move(extra_args);
  Start();
}

RedisServer::~RedisServer() {
  Kill();
  if (!dir_.empty()) {
    const std::string command = "rm -rf '" + dir_ + "'";
    (void)std::system(command.c_str());
  }
}

bool RedisServer::Start() {
  if (pid_ > 0) return true;
  std::vector<std::string> argv = {"/usr/bin/redis-server",
                                   "--port",
                                   std::to_string(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "no",
                                   "--dir",
                                   dir_,
                                   "--daemonize",
                                   "no",
                                   "--loglevel",
                                   "warning",
                                   "--logfile",
                                   dir_ + "/redis.log"};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  for (int i = 0; i < 500; ++i) {  // up to 10 s: a loaded machine starts slowly
    RedisClient client(port_);
    if (client.connected()) {
      ReplyPtr pong = client.Command({"PING"});
      // NOAUTH: up, with --requirepass.
      if (pong && (pong->type == REDIS_REPLY_STATUS || pong->type == REDIS_REPLY_ERROR))
        return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: the port was taken
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void RedisServer::Kill() { Kill(SIGKILL); }

void RedisServer::Kill(int signum) {
  if (pid_ <= 0) return;
  ::kill(pid_, signum);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void ReplyDeleter::operator()(redisReply* reply) const { freeReplyObject(reply); }

RedisClient::RedisClient(int port) : port_(port) {
  timeval timeout{2, 0};
  context_ = redisConnectWithTimeout("127.0.0.1", port_, timeout);
  if (context_ != nullptr && context_->err != 0) {
    redisFree(context_);
    context_ = nullptr;
  }
}

RedisClient::~RedisClient() {
  if (context_ != nullptr) redisFree(context_);
}

ReplyPtr RedisClient::Command(const std::vector<std::string>& args) {
  if (context_ == nullptr) {
    timeval timeout{2, 0};
    context_ = redisConnectWithTimeout("127.0.0.1", port_, timeout);
    if (context_ != nullptr && context_->err != 0) {
      redisFree(context_);
      context_ = nullptr;
      return nullptr;
    }
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lengths.data()));
  if (reply == nullptr) {
    redisFree(context_);
    context_ = nullptr;
  }
  return ReplyPtr(reply);
}

long long RedisClient::Integer(const std::vector<std::string>& args) {
  ReplyPtr reply = Command(args);
  return reply && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
}

std::string RedisClient::XAdd(const std::string& stream, const std::vector<std::string>& fields) {
  std::vector<std::string> args = {"XADD", stream, "*"};
  args.insert(args.end(), fields.begin(), fields.end());
  ReplyPtr reply = Command(args);
  return reply && reply->type == REDIS_REPLY_STRING ? std::string(reply->str, reply->len) : "";
}

long long RedisClient::GroupPending(const std::string& stream, const std::string& group) {
  ReplyPtr reply = Command({"XPENDING", stream, group});
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 ||
      reply->element[0]->type != REDIS_REPLY_INTEGER) {
    return -1;
  }
  return reply->element[0]->integer;
}

bool RedisClient::IsPending(const std::string& stream, const std::string& group,
                            const std::string& id) {
  ReplyPtr reply = Command({"XPENDING", stream, group, id, id, "1"});
  return reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 1;
}

long long RedisClient::CommandCalls(const std::string& command) {
  ReplyPtr reply = Command({"INFO", "commandstats"});
  if (!reply || reply->type != REDIS_REPLY_STRING) return -1;
  const std::string text(reply->str, reply->len);
  const std::string key = "cmdstat_" + command + ":calls=";
  const std::size_t at = text.find(key);
  if (at == std::string::npos) return 0;
  return std::atoll(text.c_str() + at + key.size());
}

std::string FieldOf(const redisReply* pairs, const std::string& field) {
  if (pairs == nullptr || pairs->type != REDIS_REPLY_ARRAY) return "";
  for (std::size_t i = 0; i + 1 < pairs->elements; i += 2) {
    const redisReply* key = pairs->element[i];
    const redisReply* value = pairs->element[i + 1];
    if (key->type == REDIS_REPLY_STRING && std::string(key->str, key->len) == field &&
        value->type == REDIS_REPLY_STRING) {
      return std::string(value->str, value->len);
    }
  }
  return "";
}

}  // namespace hookfan::testing
