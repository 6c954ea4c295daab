// hookfan_client_load: drives one HttpClient on one libuv loop as hard as it can, for
// comparing the client with `wrk -t1` against the same receiver and body.
//
//   hookfan_client_load --url http://127.0.0.1:8080/ --connections 64 --seconds 10
//   {"requests":1234567,"seconds":10.000,"rps":123456.7,"errors":0,"connects":64}
//
// N connections means N requests in flight at all times: each completion sends the next
// request on the same record, like wrk's closed loop. Only 2xx responses count as requests;
// anything else counts as an error. bench/net/client_vs_wrk.sh runs both against nginx.

#include <uv.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "net/base/clock.h"
#include "net/client/http_client.h"

namespace {

using hookfan::net::HttpClient;
using hookfan::net::HttpRequest;
using hookfan::net::OriginPool;
using hookfan::net::RequestOutcome;

struct Driver {
  HttpClient* client = nullptr;
  OriginPool* pool = nullptr;
  bool stopping = false;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::size_t in_flight = 0;
  bool closed = false;
};

struct Slot {
  HttpRequest request;
  Driver* driver = nullptr;
};

void OnComplete(HttpRequest* request, const RequestOutcome& outcome) {
  auto* slot = static_cast<Slot*>(request->context);
  Driver* driver = slot->driver;
  if (outcome.ok_response() && outcome.status >= 200 && outcome.status < 300) {
    ++driver->requests;
  } else {
    ++driver->errors;
  }
  if (!driver->stopping && driver->client->Send(driver->pool, request).ok()) return;
  --driver->in_flight;
}

std::string MakeBody(std::size_t bytes) {
  std::string body = R"({"data":")";
  const std::string tail = "\"}";
  while (body.size() + tail.size() < bytes) body += 'x';
  body += tail;
  return body;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hookfan_client_load: closed-loop POST load from one HttpClient"};
  std::string url_text;
  std::size_t connections = 64;
  std::size_t body_bytes = 256;
  double seconds = 10;
  app.add_option("--url", url_text, "target, e.g. http://127.0.0.1:8080/")->required();
  app.add_option("--connections", connections, "connections = requests in flight")
      ->check(CLI::Range(1, 100000));
  app.add_option("--body-bytes", body_bytes, "size of the JSON body POSTed");
  app.add_option("--seconds", seconds, "duration")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  hookfan::StatusOr<hookfan::net::Url> url = hookfan::net::Url::Parse(url_text);
  if (!url.ok()) {
    std::fprintf(stderr, "hookfan_client_load: %s\n", url.status().message().c_str());
    return 2;
  }

  uv_loop_t loop;
  uv_loop_init(&loop);
  hookfan::net::ClientOptions options;
  options.max_connections_per_origin = connections;
  auto client = std::make_unique<HttpClient>(&loop, options);
  hookfan::StatusOr<OriginPool*> pool = client->PoolFor(*url);
  if (!pool.ok()) {
    std::fprintf(stderr, "hookfan_client_load: %s\n", pool.status().message().c_str());
    return 2;
  }

  Driver driver;
  driver.client = client.get();
  driver.pool = *pool;
  const std::string body = MakeBody(body_bytes);
  std::vector<std::unique_ptr<Slot>> slots;
  for (std::size_t i = 0; i < connections; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->driver = &driver;
    slot->request.path_and_query = url->path_and_query;
    slot->request.body = body;
    slot->request.context = slot.get();
    slot->request.on_complete = &OnComplete;
    slots.push_back(std::move(slot));
  }

  uv_timer_t stop_timer;
  uv_timer_init(&loop, &stop_timer);
  stop_timer.data = &driver;
  const std::int64_t start_ns = hookfan::MonotonicNowNs();
  for (auto& slot : slots) {
    if (client->Send(driver.pool, &slot->request).ok()) ++driver.in_flight;
  }
  uv_timer_start(
      &stop_timer, [](uv_timer_t* timer) { static_cast<Driver*>(timer->data)->stopping = true; },
      static_cast<std::uint64_t>(seconds * 1000), 0);
  while (!driver.stopping) uv_run(&loop, UV_RUN_ONCE);
  const std::int64_t stop_ns = hookfan::MonotonicNowNs();
  const std::uint64_t requests = driver.requests;
  const std::uint64_t errors = driver.errors;

  // Let the requests in flight finish (not counted), then close everything.
  while (driver.in_flight > 0) uv_run(&loop, UV_RUN_ONCE);
  const hookfan::net::PoolStats stats = client->Stats(driver.pool);
  client->Close([&driver] { driver.closed = true; });
  uv_close(reinterpret_cast<uv_handle_t*>(&stop_timer), nullptr);
  while (!driver.closed) uv_run(&loop, UV_RUN_ONCE);
  client.reset();
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);

  const double elapsed = static_cast<double>(stop_ns - start_ns) / 1e9;
  std::printf(
      "{\"requests\":%llu,\"seconds\":%.3f,\"rps\":%.1f,\"errors\":%llu,\"connects\":%llu}\n",
      static_cast<unsigned long long>(requests), elapsed, static_cast<double>(requests) / elapsed,
      static_cast<unsigned long long>(errors), static_cast<unsigned long long>(stats.connects));
  return errors == 0 ? 0 : 1;
}
