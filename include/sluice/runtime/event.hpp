#pragma once
// What a task's queue holds: the four kinds of event a task processes.

#include <sluice/runtime/ack.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <utility>
#include <variant>

namespace sluice::runtime::detail {

// A record appended to a depot partition of the task.
struct depot_append {
  std::uint32_t depot;  // index into the module plan's depots
  std::string record;   // value-encoded
};

// One emission of a tick depot, on task 0.
struct tick_emission {
  std::uint32_t tick;  // index into the module plan's ticks
  std::int64_t time_millis;
};

// A hop message from a source task's outbox, to be applied on the task it names.
struct hop_delivery {
  std::uint32_t source_task;
  std::uint64_t seq;  // the source task's outbox sequence number
  std::uint32_t topology;
  std::uint32_t hop;
  std::string payload;
};

// Sent back to a source task once a target committed its hop messages: erase the outbox entries
// addressed to `target_task` up to `up_to_seq`.
struct outbox_prune {
  std::uint32_t target_task;
  std::uint64_t up_to_seq;
};

struct event {
  using clock = std::chrono::steady_clock;

  std::uint32_t task;
  std::variant<depot_append, tick_emission, hop_delivery, outbox_prune> body;
  completion_ptr ack;  // null when nobody waits for this event
  clock::time_point enqueued = clock::now();
};

// Tells whoever waits for `e` that it failed with `failure`.
inline void fail_event(event& e, std::exception_ptr failure) {
  if (e.ack) e.ack->finish_work(std::move(failure));
}

// Prunes are bookkeeping: they count in no user-facing statistic.
inline bool is_bookkeeping(const event& e) noexcept { return std::holds_alternative<outbox_prune>(e.body); }

// Sorts `events` by key(e), keeping the order of events with equal keys, then calls
// fn(key, events with that key) once per key, in key order.
template <class Key, class Fn>
void for_each_group(std::span<event> events, Key key, Fn fn) {
  std::stable_sort(events.begin(), events.end(), [&](const event& a, const event& b) { return key(a) < key(b); });
  for (auto first = events.begin(); first != events.end();) {
    const auto group = key(*first);
    const auto last = std::find_if(first, events.end(), [&](const event& e) { return key(e) != group; });
    fn(group, std::span<event>{first, last});
    first = last;
  }
}

}  // namespace sluice::runtime::detail
