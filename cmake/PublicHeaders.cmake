# The embedding API's headers: engine/hookfan.h, what it includes, and the helpers the
# documented example uses. Exactly these are installed (under include/hookfan/), and
# public_headers_test compiles each one alone against a copy of only these, with uv.h,
# llhttp.h and the other private dependencies made to fail: an embedder needs none of them.
# A header added to the include closure of hookfan.h must be listed here.
set(HOOKFAN_PUBLIC_HEADERS
  engine/hookfan.h
  engine/base/latency_histogram.h
  engine/base/rng.h
  engine/endpoints/endpoint_config.h
  engine/events/event.h
  engine/retry/retry_policy.h
  engine/signing/webhook_secret.h
  net/base/check.h
  net/base/clock.h
  net/base/status.h
  net/address/address_policy.h
  net/address/ip_address.h
  net/client/client_options.h
  net/client/request_outcome.h
  # hookfan::redis (the Redis Streams source): needs the engine's headers, not hiredis.h.
  sources/redis/redis_source.h
  sources/redis/redis_source_options.h
  sources/redis/redis_url.h)
