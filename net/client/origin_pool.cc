#include "net/client/origin_pool.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

#include "net/base/check.h"

namespace hookfan::net {

OriginPool::OriginPool(const Context& context, const Url& url)
    : context_(context), url_(url), origin_(url.Origin()), port_text_(std::to_string(url.port)) {
  host_and_agent_ =
      "Host: " + url.HostHeader() + "\r\nUser-Agent: " + options().user_agent + "\r\n";
  if (url.host_kind == HostKind::kIpv4) {
    HOOKFAN_CHECK(uv_ip4_addr(url.host.c_str(), url.port,
                              reinterpret_cast<sockaddr_in*>(&literal_address_)) == 0);
  } else if (url.host_kind == HostKind::kIpv6) {
    HOOKFAN_CHECK(uv_ip6_addr(url.host.c_str(), url.port,
                              reinterpret_cast<sockaddr_in6*>(&literal_address_)) == 0);
  }
  connections_.reserve(std::min<std::size_t>(options().max_connections_per_origin, 64));
  HOOKFAN_CHECK(uv_timer_init(context_.loop, &timer_) == 0);
  timer_.data = this;
}

OriginPool::~OriginPool() {
  // Handles must be closed first (HttpClient::Close); freeing them open would corrupt the loop.
  HOOKFAN_CHECK(!timer_open_ && connections_.empty());
}

PoolStats OriginPool::Stats() const {
  PoolStats stats = counters_;
  stats.in_flight = in_flight_;
  stats.idle = idle_.size();
  stats.queued = queue_.size();
  stats.open_connections = open_;
  return stats;
}

Status OriginPool::Send(HttpRequest* request) {
  if (closing_) return Status::FailedPrecondition("http client: closing, request not sent");
  request->pool_ = this;
  request->retried_ = false;
  request->body_prefix_ = {};
  request->deadline_ = 0;  // set when a connection takes it: time queued here is not counted
  // Through the queue even when a connection is free, so that nobody overtakes a waiter.
  queue_.PushBack(request);
  Dispatch();
  return Status::Ok();
}

void OriginPool::Dispatch() {
  if (closing_) return;
  while (!queue_.empty()) {
    if (ClientConnection* connection = idle_.PopBack()) {
      ++counters_.reuses;
      ++in_flight_;
      connection->Start(queue_.PopFront());
    } else if (open_ < options().max_connections_per_origin) {
      ++in_flight_;
      OpenConnection(queue_.PopFront());
    } else {
      break;
    }
  }
}

void OriginPool::OpenConnection(HttpRequest* request) {
  ++open_;
  ++counters_.connects;
  connections_.push_back(std::make_unique<ClientConnection>(this, connections_.size()));
  connections_.back()->Open(request);
}

void OriginPool::BuildHead(const HttpRequest& request, bool terminate, std::string* out) const {
  out->clear();
  out->append("POST ");
  out->append(request.path_and_query);
  out->append(" HTTP/1.1\r\n");
  out->append(host_and_agent_);
  out->append("Content-Type: ");
  out->append(request.content_type);
  out->append("\r\nContent-Length: ");
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof(digits), request.body.size());
  out->append(digits, result.ptr);
  out->append(terminate ? "\r\n\r\n" : "\r\n");
}

void OriginPool::OnRequestDone(ClientConnection* connection, HttpRequest* request,
                               const RequestOutcome& outcome, bool reusable) {
  if (reusable) {
    if (closing_) {
      connection->Close();
    } else {
      connection->set_idle_since(static_cast<TimeMs>(uv_now(context_.loop)));
      idle_.PushBack(connection);
      ArmTimer();
    }
  }
  Finish(request, outcome, true);
}

void OriginPool::OnRequestFailed(HttpRequest* request, RequestError error, bool retriable,
                                 std::string_view detail) {
  if (retriable && !request->retried_ && !closing_) {
    // The failed connection has left open_, so the fresh one takes its slot.
    request->retried_ = true;
    ++counters_.retries;
    OpenConnection(request);
    return;
  }
  RequestOutcome outcome;
  outcome.error = error;
  outcome.set_detail(detail);
  Finish(request, outcome, true);
}

void OriginPool::Finish(HttpRequest* request, const RequestOutcome& outcome, bool was_in_flight) {
  if (was_in_flight) --in_flight_;
  ++counters_.completed;
  if (!outcome.ok_response()) ++counters_.errors;
  request->pool_ = nullptr;
  // Hand freed connections and slots to waiters before the callback, whose own Send()
  // must queue behind them.
  Dispatch();
  request->on_complete(request, outcome);  // may destroy or resend the request: last use
}

void OriginPool::OnIdleConnectionLost(ClientConnection* connection) {
  ++counters_.idle_closed;
  connection->Close();
}

void OriginPool::OnConnectionClosing(ClientConnection* connection) {
  --open_;
  if (connection->in_idle_list()) idle_.Remove(connection);
}

void OriginPool::ReleaseConnection(ClientConnection* connection) {
  const std::size_t index = connection->index();
  HOOKFAN_DCHECK(index < connections_.size() && connections_[index].get() == connection);
  if (index + 1 != connections_.size()) {
    std::swap(connections_[index], connections_.back());
    connections_[index]->set_index(index);
  }
  connections_.pop_back();  // frees the connection
  MaybeClosed();
}

void OriginPool::ArmTimer() {
  if (closing_) return;
  const ClientConnection* coldest = idle_.front();
  if (coldest == nullptr) return;  // nothing to watch; a pending early expiry re-arms harmlessly
  const TimeMs next = coldest->idle_since() + options().idle_timeout;
  const auto now = static_cast<TimeMs>(uv_now(context_.loop));
  const auto delay = static_cast<std::uint64_t>(next > now ? next - now : 0);
  // Already due no later than needed (the common case: a new idle connection expires after
  // the older ones): leave it, it re-arms itself when it fires.
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(&timer_)) &&
      uv_timer_get_due_in(&timer_) <= delay) {
    return;
  }
  uv_timer_start(&timer_, &OriginPool::OnTimer, delay, 0);
}

void OriginPool::OnTimer(uv_timer_t* timer) {
  auto* self = static_cast<OriginPool*>(timer->data);
  const TimeMs now = static_cast<TimeMs>(uv_now(self->context_.loop));
  while (ClientConnection* coldest = self->idle_.front()) {
    if (coldest->idle_since() + self->options().idle_timeout > now) break;
    self->OnIdleConnectionLost(coldest);
  }
  self->ArmTimer();
}

void OriginPool::Close(std::function<void()> on_closed) {
  HOOKFAN_CHECK(!closing_);
  closing_ = true;
  on_closed_ = std::move(on_closed);
  RequestOutcome cancelled;
  cancelled.error = RequestError::kCancelled;
  while (HttpRequest* request = queue_.PopFront()) Finish(request, cancelled, false);
  // Connections leave connections_ only in close callbacks, never during this loop.
  for (std::size_t i = 0; i < connections_.size(); ++i) {
    if (HttpRequest* request = connections_[i]->Cancel()) Finish(request, cancelled, true);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &OriginPool::OnTimerClosed);
}

void OriginPool::OnTimerClosed(uv_handle_t* handle) {
  auto* self = static_cast<OriginPool*>(handle->data);
  self->timer_open_ = false;
  self->MaybeClosed();
}

void OriginPool::MaybeClosed() {
  if (!closing_ || timer_open_ || !connections_.empty() || !on_closed_) return;
  std::function<void()> on_closed = std::move(on_closed_);
  on_closed_ = nullptr;
  on_closed();
}

}  // namespace hookfan::net
