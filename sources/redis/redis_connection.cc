#include "sources/redis/redis_connection.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

namespace hookfan::sources {
namespace {

// hiredis' event-loop hooks on a uv_poll_t. Debian's adapters/libuv.h (hiredis 0.14) returns
// early when the poll reports an error, so a refused connection is never seen (the source
// would only learn of it from its own connect timeout); here an error status is handed to
// hiredis as readiness, and its read or connect check finds the socket's error.
struct PollEvents {
  redisAsyncContext* context;
  uv_poll_t handle;
  int events;
};

void OnPoll(uv_poll_t* handle, int status, int events) {
  auto* p = static_cast<PollEvents*>(handle->data);
  if (p->context == nullptr) return;
  if (status < 0) {
    // Not yet connected: the write path runs the connect check; else the read fails.
    if ((p->context->c.flags & REDIS_CONNECTED) == 0) {
      redisAsyncHandleWrite(p->context);
    } else {
      redisAsyncHandleRead(p->context);
    }
    return;
  }
  if ((events & UV_READABLE) != 0) redisAsyncHandleRead(p->context);
  if (p->context != nullptr && (events & UV_WRITABLE) != 0) redisAsyncHandleWrite(p->context);
}

void Update(PollEvents* p, int add, int remove) {
  p->events = (p->events | add) & ~remove;
  if (p->events != 0) {
    uv_poll_start(&p->handle, p->events, OnPoll);
  } else {
    uv_poll_stop(&p->handle);
  }
}

void AddRead(void* data) { Update(static_cast<PollEvents*>(data), UV_READABLE, 0); }
void DelRead(void* data) { Update(static_cast<PollEvents*>(data), 0, UV_READABLE); }
void AddWrite(void* data) { Update(static_cast<PollEvents*>(data), UV_WRITABLE, 0); }
void DelWrite(void* data) { Update(static_cast<PollEvents*>(data), 0, UV_WRITABLE); }
void Cleanup(void* data) {
  auto* p = static_cast<PollEvents*>(data);
  p->context = nullptr;  // the context is being freed; the handle outlives it until closed
  uv_close(reinterpret_cast<uv_handle_t*>(&p->handle),
           [](uv_handle_t* handle) { delete static_cast<PollEvents*>(handle->data); });
}

bool Attach(redisAsyncContext* context, uv_loop_t* loop) {
  auto* p = new PollEvents{context, {}, 0};
  if (uv_poll_init(loop, &p->handle, context->c.fd) != 0) {
    delete p;
    return false;
  }
  p->handle.data = p;
  context->ev.data = p;
  context->ev.addRead = AddRead;
  context->ev.delRead = DelRead;
  context->ev.addWrite = AddWrite;
  context->ev.delWrite = DelWrite;
  context->ev.cleanup = Cleanup;
  return true;
}

}  // namespace

RedisConnection::RedisConnection(uv_loop_t* loop, std::function<void(Status)> on_connected,
                                 std::function<void(const std::string&)> on_lost)
    : loop_(loop), on_connected_(std::move(on_connected)), on_lost_(std::move(on_lost)) {}

RedisConnection::~RedisConnection() { Close(); }

Status RedisConnection::Connect(const RedisAddress& address) {
  redisAsyncContext* context = redisAsyncConnect(address.host.c_str(), address.port);
  if (context == nullptr) return Status::Io("redis: out of memory");
  if (context->err != 0) {
    Status error = Status::Unavailable("cannot connect to " + address.host + ":" +
                                       std::to_string(address.port) + ": " + context->errstr);
    redisAsyncFree(context);
    return error;
  }
  if (!Attach(context, loop_)) {
    redisAsyncFree(context);
    return Status::Io("redis: cannot attach the connection to the loop");
  }
  context->data = this;
  redisAsyncSetConnectCallback(context, &RedisConnection::OnConnect);
  redisAsyncSetDisconnectCallback(context, &RedisConnection::OnDisconnect);
  context_ = context;
  return Status::Ok();
}

bool RedisConnection::Command(const std::vector<std::string>& args, ReplyCallback callback) {
  if (context_ == nullptr || closing_) return false;
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* owned = new ReplyCallback(std::move(callback));
  if (redisAsyncCommandArgv(context_, &RedisConnection::OnReply, owned,
                            static_cast<int>(args.size()), argv.data(), lengths.data()) !=
      REDIS_OK) {
    delete owned;
    return false;
  }
  ++commands_sent_;
  return true;
}

void RedisConnection::Close() {
  if (context_ == nullptr || closing_) return;
  closing_ = true;
  redisAsyncContext* context = context_;
  // Pending callbacks run (with nullptr) inside redisAsyncFree, or after the current one
  // when called from a reply; either way nothing calls back into this object.
  context->data = nullptr;
  redisAsyncFree(context);
  context_ = nullptr;
  connected_ = false;
}

void RedisConnection::OnConnect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (self == nullptr) return;
  if (status != REDIS_OK) {
    // hiredis frees the context after this callback.
    const std::string why = context->errstr;
    self->context_ = nullptr;
    const_cast<redisAsyncContext*>(context)->data = nullptr;
    self->on_connected_(Status::Unavailable(why.empty() ? "connection failed" : why));
    return;
  }
  self->connected_ = true;
  self->on_connected_(Status::Ok());
}

void RedisConnection::OnDisconnect(const redisAsyncContext* context, int /*status*/) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (self == nullptr) return;
  const_cast<redisAsyncContext*>(context)->data = nullptr;
  self->context_ = nullptr;
  self->connected_ = false;
  if (self->closing_) return;
  const std::string why = context->err != 0 ? context->errstr : "connection closed by the server";
  self->on_lost_(why);
}

void RedisConnection::OnReply(redisAsyncContext* /*context*/, void* reply, void* privdata) {
  auto* callback = static_cast<ReplyCallback*>(privdata);
  (*callback)(static_cast<redisReply*>(reply));
  delete callback;
}

std::string_view ReplyText(const redisReply* reply) {
  if (reply == nullptr) return {};
  if (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS ||
      reply->type == REDIS_REPLY_ERROR) {
    return std::string_view(reply->str, reply->len);
  }
  return {};
}

bool ReplyIsError(const redisReply* reply) {
  return reply != nullptr && reply->type == REDIS_REPLY_ERROR;
}

}  // namespace hookfan::sources
