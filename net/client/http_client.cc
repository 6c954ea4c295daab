#include "net/client/http_client.h"

#include <utility>

#include "net/base/check.h"

namespace hookfan::net {
namespace {

std::string TlsKey(const TlsClientOptions& options) {
  std::string key = options.verify ? "verify\n" : "no-verify\n";
  key += options.ca_file + '\n' + options.cert_file + '\n' + options.key_file;
  return key;
}

}  // namespace

HttpClient::HttpClient(uv_loop_t* loop, ClientOptions options)
    : loop_(loop), options_(std::move(options)), read_buffer_(new char[kReadBufferBytes]) {
  HOOKFAN_CHECK(options_.Validate().ok());
}

HttpClient::~HttpClient() {
  // Pools hold libuv handles: they may only go away after Close() has finished.
  HOOKFAN_CHECK(closed_ || (pools_.empty() && !closing_));
}

StatusOr<OriginPool*> HttpClient::PoolFor(const Url& url, std::string_view owner,
                                          const TlsClientOptions* tls) {
  HOOKFAN_DCHECK(loop_thread_.OnLoopThread());
  if (closing_) return Status::FailedPrecondition("http client: closing, no new pools");
  static const TlsClientOptions kDefaults;
  const TlsClientOptions& tls_options = tls != nullptr ? *tls : kDefaults;
  std::string key(owner);
  key += '\n';
  key += url.Origin();
  // New TLS settings (an endpoint's new CA, say) get a new pool: connections made under the
  // old ones are not reused for it.
  if (url.scheme == Scheme::kHttps) key += '\n' + TlsKey(tls_options);
  auto it = pools_.find(key);
  if (it != pools_.end()) return it->second.get();
  OriginPool::Context context{
      .loop = loop_,
      .options = &options_,
      .read_buffer = std::span<char>(read_buffer_.get(), kReadBufferBytes),
  };
  if (url.scheme == Scheme::kHttps) {
    auto tls_context = TlsContextFor(tls_options);
    if (!tls_context.ok()) return tls_context.status();
    context.tls = *tls_context;
  }
  auto pool = std::make_unique<OriginPool>(context, url);
  OriginPool* raw = pool.get();
  pools_.emplace(std::move(key), std::move(pool));
  return raw;
}

StatusOr<TlsContext*> HttpClient::TlsContextFor(const TlsClientOptions& options) {
  std::string key = TlsKey(options);
  auto it = tls_contexts_.find(key);
  if (it != tls_contexts_.end()) return it->second.get();
  auto context = TlsContext::Client(options);
  if (!context.ok()) return context.status();
  TlsContext* raw = context->get();
  tls_contexts_.emplace(std::move(key), std::move(*context));
  return raw;
}

Status HttpClient::Send(OriginPool* pool, HttpRequest* request) {
  HOOKFAN_DCHECK(loop_thread_.OnLoopThread());
  HOOKFAN_CHECK(request->on_complete != nullptr);
  HOOKFAN_CHECK(!request->in_flight());
  if (closing_) return Status::FailedPrecondition("http client: closing, request not sent");
  return pool->Send(request);
}

void HttpClient::Close(std::function<void()> on_closed) {
  HOOKFAN_DCHECK(loop_thread_.OnLoopThread());
  HOOKFAN_CHECK(!closing_);
  closing_ = true;
  on_closed_ = std::move(on_closed);
  if (pools_.empty()) {
    // Nothing to close, but on_closed still comes from the loop, never from inside Close().
    // The timer is freed in its own close callback.
    auto* timer = new uv_timer_t;
    HOOKFAN_CHECK(uv_timer_init(loop_, timer) == 0);
    timer->data = this;
    uv_timer_start(timer, &HttpClient::OnDeferredClose, 0, 0);
    return;
  }
  pools_closing_ = pools_.size();
  for (auto& [origin, pool] : pools_) pool->Close([this] { OnPoolClosed(); });
}

void HttpClient::OnDeferredClose(uv_timer_t* timer) {
  auto* self = static_cast<HttpClient*>(timer->data);
  uv_close(reinterpret_cast<uv_handle_t*>(timer),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
  self->OnPoolClosed();
}

void HttpClient::OnPoolClosed() {
  if (pools_closing_ > 0) --pools_closing_;
  if (pools_closing_ > 0) return;
  closed_ = true;
  std::function<void()> on_closed = std::move(on_closed_);
  on_closed_ = nullptr;
  if (on_closed) on_closed();  // may destroy this client: last use
}

}  // namespace hookfan::net
