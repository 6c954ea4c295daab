#include "tools/serve/event_done_listeners.h"

namespace hookfan::tools {

void EventDoneListeners::InstallInto(engine::EngineConfig* config) const {
  if (listeners_->empty()) return;
  config->on_event_done = [previous = config->on_event_done,
                           listeners = listeners_](const engine::Event& event) {
    if (previous) previous(event);
    for (const Listener& listener : *listeners) listener(event);
  };
}

}  // namespace hookfan::tools
