#include "engine/endpoints/endpoint_config.h"

#include "engine/worker/endpoint_runtime.h"

namespace hookfan::engine {

Status ValidateEndpointConfig(const EndpointConfig& config) {
  // Building the runtime is the validation: one code path decides what is acceptable.
  return EndpointRuntime::Create(config, 1.0).status();
}

}  // namespace hookfan::engine
