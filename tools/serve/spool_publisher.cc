#include "tools/serve/spool_publisher.h"

#include <string>
#include <utility>

namespace hookfan::tools {

SpoolPublisher::SpoolPublisher(engine::Engine& engine, engine::spool::Spool& spool, uv_loop_t* loop)
    : engine_(engine), spool_(spool) {
  uv_async_init(loop, &wake_, &SpoolPublisher::OnWake);
  wake_.data = this;
}

SpoolPublisher::~SpoolPublisher() = default;

void SpoolPublisher::Close() {
  if (closed_) return;
  closed_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
}

void SpoolPublisher::Publish(std::vector<engine::EventPtr> events, PublishDone done) {
  auto waiting = std::make_shared<Waiting>();
  waiting->done = std::move(done);
  std::vector<std::uint64_t> appended;
  appended.reserve(events.size());
  Status status;
  for (const engine::EventPtr& event : events) {
    std::vector<std::string> endpoints = engine_.MatchEndpoints(*event);
    // Nothing to deliver, nothing to keep: an unmatched event is done at once.
    if (endpoints.empty()) continue;
    {
      std::lock_guard<std::mutex> guard(mu_);
      ++waiting->remaining;
    }
    auto sequence = spool_.AppendEvent(*event, endpoints, [this, waiting](const Status& durable) {
      Completed(waiting, durable, /*on_loop_thread=*/false);
    });
    if (!sequence.ok()) {
      {
        std::lock_guard<std::mutex> guard(mu_);
        --waiting->remaining;
      }
      status = sequence.status();
      break;
    }
    // Fresh from the parser and not shared yet: stamped before the engine sees it.
    std::const_pointer_cast<engine::Event>(event)->spool_sequence = *sequence;
    appended.push_back(*sequence);
  }
  if (status.ok()) status = engine_.PublishBatch(events);
  if (!status.ok()) {
    // All or nothing: what this batch appended ends here, so no restart delivers it.
    for (std::uint64_t sequence : appended) spool_.RecordEventDone(sequence);
  }
  Completed(waiting, status, /*on_loop_thread=*/true);
}

void SpoolPublisher::Completed(const std::shared_ptr<Waiting>& waiting, const Status& status,
                               bool on_loop_thread) {
  bool last = false;
  bool wake = false;
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (!status.ok() && waiting->status.ok()) waiting->status = status;
    last = --waiting->remaining == 0;
    if (last && !on_loop_thread) {
      wake = ready_.empty();
      ready_.push_back(waiting);
    }
  }
  if (last && on_loop_thread) {
    waiting->done(waiting->status);  // nothing was appended, or everything is already durable
  } else if (wake) {
    uv_async_send(&wake_);
  }
}

std::string SpoolPublisher::MetricsText() const {
  const engine::spool::SpoolStats stats = spool_.Stats();
  std::string text;
  auto series = [&text](const char* name, const char* type, const char* help, std::uint64_t value) {
    text += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
            name + " " + std::to_string(value) + "\n";
  };
  series("hookfan_spool_bytes", "gauge", "Bytes of every spool segment on disk.", stats.bytes);
  series("hookfan_spool_segments", "gauge", "Spool segment files.", stats.segments);
  series("hookfan_spool_pending_deliveries", "gauge",
         "Deliveries the spool would send again after a restart.", stats.pending_deliveries);
  series("hookfan_spool_dead_letters", "gauge", "Dead letters kept in the spool.",
         stats.dead_letters);
  series("hookfan_spool_events_appended_total", "counter", "Events appended to the spool.",
         stats.events_appended);
  series("hookfan_spool_syncs_total", "counter", "fdatasync calls of the spool.", stats.syncs);
  series("hookfan_spool_budget_refusals_total", "counter",
         "Events refused at spool.max_bytes (ingest answered 503).", stats.budget_refusals);
  series("hookfan_spool_write_errors_total", "counter", "Spool commits that failed.",
         stats.write_errors);
  return text;
}

void SpoolPublisher::OnWake(uv_async_t* handle) {
  auto* self = static_cast<SpoolPublisher*>(handle->data);
  std::vector<std::shared_ptr<Waiting>> ready;
  {
    std::lock_guard<std::mutex> guard(self->mu_);
    ready.swap(self->ready_);
  }
  for (const auto& waiting : ready) {
    Status status;
    {
      std::lock_guard<std::mutex> guard(self->mu_);
      status = waiting->status;
    }
    waiting->done(status);
  }
}

}  // namespace hookfan::tools
