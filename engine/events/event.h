#pragma once
// An Event is what a source hands the engine: an id, a type, optional channels, and the
// payload bytes. It is immutable once published and shared (std::shared_ptr<const Event>)
// by every delivery fanned out from it: the payload is held once, never copied per endpoint.
//
//   auto event = MakeEvent("pass.created", R"({"pass":"p1"})");
//   router.Match(*event, &endpoints);   // each delivery keeps a copy of `event`

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hookfan::engine {

struct Event {
  std::string id;                     // webhook-id: stable across every retry
  std::string type;                   // e.g. "pass.created"; routing key
  std::vector<std::string> channels;  // optional; empty means "no channel"
  std::string payload;                // the exact bytes POSTed in `event` payload mode
  std::int64_t received_unix_ms = 0;  // wall clock when hookfan accepted it
  // Tenancy: who published it. The engine routes an event only to endpoints with the same
  // owner, so one tenant can never subscribe to another's events. Empty: the admin (and
  // everything when the host has no tenants).
  std::string owner;
  // The host's durable spool numbers the events it keeps (engine/spool/spool.h), so that what
  // the engine reports about them (outcomes, retries, event done) finds their record without
  // a lookup. 0: not spooled. Set before publishing, like everything here.
  std::uint64_t spool_sequence = 0;
};

using EventPtr = std::shared_ptr<const Event>;

// A fresh event id: "msg_" followed by 26 characters of a time-ordered, random id (ULID
// layout, Crockford base32), so ids sort by acceptance time and never collide in practice.
std::string GenerateEventId();

// Builds an event; `id` empty means "generate one".
EventPtr MakeEvent(std::string type, std::string payload, std::string id = {},
                   std::vector<std::string> channels = {});

}  // namespace hookfan::engine
