// The server's per-request CPU cost without sockets: parsing a request and formatting its
// answer, the two steps every sink or ingest request goes through.
#include <benchmark/benchmark.h>

#include <string>

#include "net/http/http_request_parser.h"
#include "net/http/http_response.h"

namespace hookfan::net {
namespace {

class CountingDelegate : public HttpRequestParser::Delegate {
 public:
  void OnExpectContinue() override {}
  bool OnRequest(const ServerRequest& request) override {
    bytes += request.body().size();
    return true;
  }
  size_t bytes = 0;
};

std::string WebhookRequest(size_t body_size) {
  return "POST /hook HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: hookfan/0.1\r\n"
         "Content-Type: application/json\r\nwebhook-id: msg_01HZX3J5Q8W7E6R5T4Y3U2I1O0\r\n"
         "webhook-timestamp: 1700000000\r\n"
         "webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\r\n"
         "Content-Length: " +
         std::to_string(body_size) + "\r\n\r\n" + std::string(body_size, 'x');
}

void BM_HttpRequestParser_Parse(benchmark::State& state) {
  const std::string request = WebhookRequest(static_cast<size_t>(state.range(0)));
  CountingDelegate delegate;
  HttpRequestParser parser(HttpRequestLimits{}, delegate);
  size_t consumed = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(parser.Feed(request, &consumed));
  }
  benchmark::DoNotOptimize(delegate.bytes);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(request.size()));
}
BENCHMARK(BM_HttpRequestParser_Parse)->Arg(0)->Arg(1024)->Arg(16384);

void BM_HttpResponse_Append(benchmark::State& state) {
  std::string out;
  const std::string_view date = "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n";
  for (auto _ : state) {
    out.clear();
    AppendHttpResponse(HttpResponse{.status = 200, .body = "ok"}, ResponseFraming{}, date, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HttpResponse_Append);

}  // namespace
}  // namespace hookfan::net
