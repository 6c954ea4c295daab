#pragma once
// The engine has one event-done hook (EngineConfig::on_event_done); in serve several parts
// want it (the durable spool, a broker source acknowledging what it read). serve keeps them
// in a list and installs one hook that calls each in the order added.
//
//   EventDoneListeners listeners;
//   listeners.Add([&spool](const engine::Event& e) { spool.RecordEventDone(...); });
//   listeners.InstallInto(&config.engine);   // before Engine::Start

#include <functional>
#include <memory>
#include <vector>

#include "engine/hookfan.h"

namespace hookfan::tools {

class EventDoneListeners {
 public:
  using Listener = std::function<void(const engine::Event&)>;
  void Add(Listener listener) { listeners_->push_back(std::move(listener)); }
  bool empty() const { return listeners_->empty(); }
  // Sets config->on_event_done (chained after one already there) unless the list is empty:
  // the hook costs the engine an allocation per event, so nothing is installed for nobody.
  // Listeners added later are still called.
  void InstallInto(engine::EngineConfig* config) const;

 private:
  std::shared_ptr<std::vector<Listener>> listeners_ = std::make_shared<std::vector<Listener>>();
};

}  // namespace hookfan::tools
