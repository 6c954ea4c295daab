#pragma once
// What the spool's log says is still alive: every event with an unfinished delivery or a kept
// dead letter, each delivery's attempt count and next due time, and how many live events each
// segment holds (a segment with none is deleted after the next checkpoint). Recovery builds
// it by replaying records; the writer keeps it current as it writes them, and writes it out
// as a checkpoint so the records of deleted segments are never needed again.
//
// Not thread-safe: recovery owns it, then the spool's writer thread.
//
//   LiveSet live;
//   live.AddEvent(7, /*segment=*/1, {"orders", "audit"});
//   live.ApplyFate({.sequence = 7, .endpoint_index = 0});
//   live.Find(7)->open;  // 1: "audit" still pending

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/events/event.h"
#include "engine/spool/spool_records.h"
#include "net/base/status.h"

namespace hookfan::engine::spool {

enum class SlotState : std::uint8_t { kDone = 0, kPending = 1, kDead = 2 };

// One delivery of a live event: 16 bytes, so ten million fit in 160 MB.
struct DeliverySlot {
  std::int64_t due_unix_ms = 0;  // 0: at once
  std::uint32_t endpoint = 0;    // into LiveSet::EndpointName
  std::uint16_t attempts = 0;    // made so far
  SlotState state = SlotState::kPending;
};

struct LiveEvent {
  std::uint64_t segment = 0;
  std::uint32_t open = 0;  // slots pending or dead: the event lives while this is nonzero
  std::uint32_t mark = 0;  // the checkpoint that last listed it (recovery's sweep)
  std::vector<DeliverySlot> slots;
  EventPtr event;  // set by recovery only (the writer needs no payloads)
};

// The decoded content of a checkpoint's chunks, applied by ApplyCheckpointChunk.
struct CheckpointStats {
  std::uint64_t events = 0;
  std::uint64_t missing = 0;  // listed, but their kEventAccepted record was not found
};

class LiveSet {
 public:
  LiveSet() = default;
  LiveSet(LiveSet&&) = default;
  LiveSet& operator=(LiveSet&&) = default;
  LiveSet(const LiveSet&) = delete;
  LiveSet& operator=(const LiveSet&) = delete;

  // An accepted event with every delivery pending at once. An event with no endpoint is not
  // kept (nothing to deliver). A sequence seen again replaces the earlier state.
  void AddEvent(std::uint64_t sequence, std::uint64_t segment,
                const std::vector<std::string>& endpoint_ids, EventPtr event = nullptr);
  // Forgets an event whatever its state (its record could not be written).
  void Erase(std::uint64_t sequence);

  // Each returns false when the delivery is unknown or already finished (a record about an
  // event whose own record was lost, or replayed twice): ignored, and counted by the caller.
  bool ApplyFate(const FateEntry& fate);
  bool ApplyRetry(const RetryEntry& retry);
  bool ApplyDeadLetter(const DeadLetterEntry& entry);

  // The index of `endpoint_id` among the event's deliveries, if the event is live.
  std::optional<std::uint32_t> Resolve(std::uint64_t sequence, std::string_view endpoint_id) const;

  const LiveEvent* Find(std::uint64_t sequence) const;
  const std::string& EndpointName(std::uint32_t endpoint) const { return names_[endpoint]; }
  const DeadLetterInfo* DeadLetter(std::uint64_t sequence, std::uint32_t index) const;
  void ForEach(const std::function<void(std::uint64_t, const LiveEvent&)>& visit) const;
  void DropEventPayloads();

  std::uint64_t events() const { return events_.size(); }
  std::uint64_t pending_deliveries() const { return pending_; }
  std::uint64_t dead_letters() const { return dead_letters_.size(); }
  // Live events per segment; a segment absent here holds none.
  const std::map<std::uint64_t, std::uint64_t>& segment_refs() const { return segment_refs_; }

  // The checkpoint: every live event's delivery states (not its payload, which stays in its
  // segment), in chunks of about `chunk_bytes`. Chunk payloads for RecordType::kCheckpoint.
  std::vector<std::string> EncodeCheckpoint(std::uint64_t checkpoint_id,
                                            std::size_t chunk_bytes) const;
  // Applies one chunk: listed events take the checkpoint's states. On the last chunk, events
  // the checkpoint did not list are dropped (they finished in records since deleted).
  // `*last` tells whether this was the last chunk.
  Status ApplyCheckpointChunk(std::string_view payload, CheckpointStats* stats, bool* last);

 private:
  std::uint32_t Intern(const std::string& endpoint_id);
  void FinishSlot(std::uint64_t sequence, LiveEvent& event, DeliverySlot& slot);

  std::unordered_map<std::uint64_t, LiveEvent> events_;
  std::map<std::pair<std::uint64_t, std::uint32_t>, DeadLetterInfo> dead_letters_;
  std::map<std::uint64_t, std::uint64_t> segment_refs_;
  std::unordered_map<std::string, std::uint32_t> name_index_;
  std::vector<std::string> names_;
  std::uint64_t pending_ = 0;
  std::uint64_t applying_checkpoint_ = 0;  // id of the checkpoint whose chunks are arriving
  bool checkpoint_open_ = false;           // chunks of it arrived, not yet its last
  std::uint32_t mark_ = 0;
};

}  // namespace hookfan::engine::spool
