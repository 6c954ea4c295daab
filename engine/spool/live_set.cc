#include "engine/spool/live_set.h"

namespace hookfan::engine::spool {
namespace {

constexpr std::uint16_t kMaxAttempts = 0xffff;

std::uint16_t ClampAttempts(std::uint64_t attempts) {
  return static_cast<std::uint16_t>(attempts > kMaxAttempts ? kMaxAttempts : attempts);
}

void EncodeInfo(const DeadLetterInfo& info, std::string* out) {
  PutVarint(info.letter_sequence, out);
  PutVarint(info.attempts, out);
  PutVarint(ZigZag(info.last_status), out);
  PutString(info.reason, out);
  PutVarint(ZigZag(info.unix_ms), out);
}

DeadLetterInfo DecodeInfo(PayloadReader& in) {
  DeadLetterInfo info;
  info.letter_sequence = in.Varint();
  info.attempts = static_cast<std::uint32_t>(in.Varint());
  info.last_status = static_cast<std::int32_t>(UnZigZag(in.Varint()));
  info.reason = in.String();
  info.unix_ms = UnZigZag(in.Varint());
  return info;
}

Status MalformedCheckpoint(const std::string& why) {
  return Status::FailedPrecondition("corrupt checkpoint (" + why +
                                    "): refusing to guess which deliveries are pending");
}

}  // namespace

std::uint32_t LiveSet::Intern(const std::string& endpoint_id) {
  auto [it, inserted] = name_index_.try_emplace(endpoint_id, names_.size());
  if (inserted) names_.push_back(endpoint_id);
  return it->second;
}

void LiveSet::AddEvent(std::uint64_t sequence, std::uint64_t segment,
                       const std::vector<std::string>& endpoint_ids, EventPtr event) {
  Erase(sequence);
  if (endpoint_ids.empty()) return;
  LiveEvent live;
  live.segment = segment;
  live.open = static_cast<std::uint32_t>(endpoint_ids.size());
  live.mark = mark_;
  live.slots.resize(endpoint_ids.size());
  for (std::size_t i = 0; i < endpoint_ids.size(); ++i) {
    live.slots[i].endpoint = Intern(endpoint_ids[i]);
  }
  live.event = std::move(event);
  pending_ += endpoint_ids.size();
  ++segment_refs_[segment];
  events_.emplace(sequence, std::move(live));
}

void LiveSet::Erase(std::uint64_t sequence) {
  auto it = events_.find(sequence);
  if (it == events_.end()) return;
  for (const DeliverySlot& slot : it->second.slots) {
    if (slot.state == SlotState::kPending) --pending_;
  }
  dead_letters_.erase(dead_letters_.lower_bound({sequence, 0}),
                      dead_letters_.lower_bound({sequence + 1, 0}));
  auto refs = segment_refs_.find(it->second.segment);
  if (refs != segment_refs_.end() && --refs->second == 0) segment_refs_.erase(refs);
  events_.erase(it);
}

void LiveSet::FinishSlot(std::uint64_t sequence, LiveEvent& event, DeliverySlot& slot) {
  if (slot.state == SlotState::kPending) --pending_;
  slot.state = SlotState::kDone;
  if (--event.open == 0) Erase(sequence);
}

bool LiveSet::ApplyFate(const FateEntry& fate) {
  auto it = events_.find(fate.sequence);
  if (it == events_.end() || fate.endpoint_index >= it->second.slots.size()) return false;
  DeliverySlot& slot = it->second.slots[fate.endpoint_index];
  if (slot.state != SlotState::kPending) return false;
  FinishSlot(fate.sequence, it->second, slot);
  return true;
}

bool LiveSet::ApplyRetry(const RetryEntry& retry) {
  auto it = events_.find(retry.sequence);
  if (it == events_.end() || retry.endpoint_index >= it->second.slots.size()) return false;
  DeliverySlot& slot = it->second.slots[retry.endpoint_index];
  if (slot.state != SlotState::kPending) return false;
  slot.attempts = ClampAttempts(retry.attempts);
  slot.due_unix_ms = retry.due_unix_ms;
  return true;
}

bool LiveSet::ApplyDeadLetter(const DeadLetterEntry& entry) {
  auto it = events_.find(entry.sequence);
  if (it == events_.end() || entry.endpoint_index >= it->second.slots.size()) return false;
  LiveEvent& event = it->second;
  DeliverySlot& slot = event.slots[entry.endpoint_index];
  const std::pair<std::uint64_t, std::uint32_t> key{entry.sequence, entry.endpoint_index};
  switch (entry.op) {
    case DeadLetterOp::kAdded:
      if (slot.state != SlotState::kPending) return false;
      --pending_;
      slot.state = SlotState::kDead;
      slot.attempts = ClampAttempts(entry.info.attempts);
      dead_letters_[key] = entry.info;
      return true;
    case DeadLetterOp::kRemoved:
      if (slot.state != SlotState::kDead) return false;
      dead_letters_.erase(key);
      FinishSlot(entry.sequence, event, slot);
      return true;
    case DeadLetterOp::kReplayed:
      if (slot.state != SlotState::kDead) return false;
      dead_letters_.erase(key);
      slot.state = SlotState::kPending;
      slot.attempts = 0;
      slot.due_unix_ms = 0;
      ++pending_;
      return true;
  }
  return false;
}

std::optional<std::uint32_t> LiveSet::Resolve(std::uint64_t sequence,
                                              std::string_view endpoint_id) const {
  auto it = events_.find(sequence);
  if (it == events_.end()) return std::nullopt;
  const std::vector<DeliverySlot>& slots = it->second.slots;
  // Linear: fan-out is small next to the cost of the delivery this records.
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (names_[slots[i].endpoint] == endpoint_id) return static_cast<std::uint32_t>(i);
  }
  return std::nullopt;
}

const LiveEvent* LiveSet::Find(std::uint64_t sequence) const {
  auto it = events_.find(sequence);
  return it == events_.end() ? nullptr : &it->second;
}

const DeadLetterInfo* LiveSet::DeadLetter(std::uint64_t sequence, std::uint32_t index) const {
  auto it = dead_letters_.find({sequence, index});
  return it == dead_letters_.end() ? nullptr : &it->second;
}

void LiveSet::ForEach(const std::function<void(std::uint64_t, const LiveEvent&)>& visit) const {
  for (const auto& [sequence, event] : events_) visit(sequence, event);
}

void LiveSet::DropEventPayloads() {
  for (auto& entry : events_) entry.second.event.reset();
}

std::vector<std::string> LiveSet::EncodeCheckpoint(std::uint64_t checkpoint_id,
                                                   std::size_t chunk_bytes) const {
  std::vector<std::string> chunks;
  std::string body;
  std::uint64_t count = 0;
  auto seal = [&](bool last) {
    std::string chunk;
    PutVarint(checkpoint_id, &chunk);
    chunk.push_back(last ? 1 : 0);
    PutVarint(count, &chunk);
    chunk += body;
    chunks.push_back(std::move(chunk));
    body.clear();
    count = 0;
  };
  for (const auto& [sequence, event] : events_) {
    PutVarint(sequence, &body);
    PutVarint(event.slots.size(), &body);
    for (std::size_t i = 0; i < event.slots.size(); ++i) {
      const DeliverySlot& slot = event.slots[i];
      body.push_back(static_cast<char>(slot.state));
      if (slot.state == SlotState::kPending) {
        PutVarint(slot.attempts, &body);
        PutVarint(ZigZag(slot.due_unix_ms), &body);
      } else if (slot.state == SlotState::kDead) {
        const DeadLetterInfo* info = DeadLetter(sequence, static_cast<std::uint32_t>(i));
        EncodeInfo(info ? *info : DeadLetterInfo{}, &body);
      }
    }
    ++count;
    if (body.size() >= chunk_bytes) seal(false);
  }
  seal(true);
  return chunks;
}

Status LiveSet::ApplyCheckpointChunk(std::string_view payload, CheckpointStats* stats, bool* last) {
  PayloadReader in(payload);
  const std::uint64_t id = in.Varint();
  const std::uint8_t last_flag = in.Byte();
  const std::uint64_t count = in.Varint();
  if (!in.ok() || last_flag > 1 || count > payload.size()) return MalformedCheckpoint("header");
  if (!checkpoint_open_ || id != applying_checkpoint_) {
    applying_checkpoint_ = id;
    ++mark_;
    *stats = {};
  }
  for (std::uint64_t n = 0; n < count; ++n) {
    const std::uint64_t sequence = in.Varint();
    const std::uint64_t slots = in.Varint();
    if (!in.ok() || slots > payload.size()) return MalformedCheckpoint("event entry");
    auto it = events_.find(sequence);
    LiveEvent* event = it == events_.end() ? nullptr : &it->second;
    if (event != nullptr && event->slots.size() != slots) {
      return MalformedCheckpoint("event " + std::to_string(sequence) + " has " +
                                 std::to_string(event->slots.size()) + " deliveries, the " +
                                 "checkpoint lists " + std::to_string(slots));
    }
    ++stats->events;
    if (event == nullptr) ++stats->missing;
    std::uint32_t open = 0;
    if (event != nullptr) {
      for (const DeliverySlot& slot : event->slots) {
        if (slot.state == SlotState::kPending) --pending_;
      }
      dead_letters_.erase(dead_letters_.lower_bound({sequence, 0}),
                          dead_letters_.lower_bound({sequence + 1, 0}));
    }
    for (std::uint64_t i = 0; i < slots; ++i) {
      const auto state = static_cast<SlotState>(in.Byte());
      DeliverySlot parsed;
      parsed.state = state;
      DeadLetterInfo info;
      if (state == SlotState::kPending) {
        parsed.attempts = ClampAttempts(in.Varint());
        parsed.due_unix_ms = UnZigZag(in.Varint());
      } else if (state == SlotState::kDead) {
        info = DecodeInfo(in);
        parsed.attempts = ClampAttempts(info.attempts);
      } else if (state != SlotState::kDone) {
        return MalformedCheckpoint("delivery state " + std::to_string(static_cast<int>(state)));
      }
      if (!in.ok()) return MalformedCheckpoint("delivery entry");
      if (event == nullptr) continue;
      DeliverySlot& slot = event->slots[i];
      slot.state = parsed.state;
      slot.attempts = parsed.attempts;
      slot.due_unix_ms = parsed.due_unix_ms;
      if (state == SlotState::kPending) ++pending_;
      if (state == SlotState::kDead)
        dead_letters_[{sequence, static_cast<std::uint32_t>(i)}] = info;
      if (state != SlotState::kDone) ++open;
    }
    if (event != nullptr) {
      event->mark = mark_;
      event->open = open;
      if (open == 0) Erase(sequence);
    }
  }
  if (!in.done()) return MalformedCheckpoint("trailing bytes");
  *last = last_flag == 1;
  checkpoint_open_ = !*last;
  if (*last) {  // the sweep: what the checkpoint did not list had finished
    std::vector<std::uint64_t> finished;
    for (const auto& [sequence, event] : events_) {
      if (event.mark != mark_) finished.push_back(sequence);
    }
    for (std::uint64_t sequence : finished) Erase(sequence);
  }
  return Status::Ok();
}

}  // namespace hookfan::engine::spool
