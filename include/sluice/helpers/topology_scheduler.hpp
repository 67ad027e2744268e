#pragma once
// TopologyScheduler: durable scheduling of future work inside a stream topology, written with the
// public dataflow API only, as any user could write it.
//
//   sluice::topology_scheduler<Post> scheduler{"$$scheduled"};
//   scheduler.declare_pstates(topology);
//   ...source(posts).out("*post"_v).each(get<"due">, "*post"_v).out("*due"_v)
//        .macro(scheduler.schedule_item("*due"_v, "*post"_v))
//   ...source(tick).macro(scheduler.handle_expirations("*post"_v, "*now"_v, sluice::block()...))
//
// Items live on the task that scheduled them, in a sorted PState keyed by (due millis, seq): the
// integer key encoding orders any int64 time, negatives included, and `seq` (a per-task counter
// advanced in the same transaction) orders equal times by scheduling and makes replays
// deterministic. On each tick, "now" is read once, every task takes its items due at or before
// now, oldest first, and for each deletes exactly that key and runs the handler in the same
// transaction: each item fires exactly once. A task handles at most max_fetch() items per event
// and continues in a new event right away, so a backlog drains at full speed while other events
// keep flowing.

#include <sluice/dataflow.hpp>
#include <sluice/pstate.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <utility>

namespace sluice {

/// Identifies one scheduled item on its task: (due millis, per-task sequence number).
using schedule_id = std::tuple<std::int64_t, std::int64_t>;

template <class Item>
class topology_scheduler {
 public:
  using items_schema = map_schema<schedule_id, Item>;
  using sequence_schema = std::int64_t;

  /// `name` starts with "$$"; the scheduler's PStates are `name` and `name` + "-seq".
  explicit topology_scheduler(std::string name) : items_name_(std::move(name)), sequence_name_(items_name_ + "-seq") {
    if (!items_name_.starts_with("$$"))
      throw definition_error("sluice: a topology_scheduler's name starts with \"$$\", not " + items_name_);
  }

  /// The most items a task handles in one event before continuing in the next (default 1000).
  topology_scheduler& max_fetch(std::size_t n) {
    max_fetch_ = n == 0 ? 1 : n;
    return *this;
  }

  /// The scheduled items, for clients that inspect them (one partition per task). Like every
  /// descriptor, it views its name: it is valid while this scheduler is.
  pstate_descriptor<items_schema> items() const { return {items_name_}; }

  void declare_pstates(stream_topology& topology) const {
    topology.declare(items());
    topology.declare(sequence());
  }

  /// Schedules `item` for time `due` (epoch millis) on the current task.
  template <class DueVar, class ItemVar>
  auto schedule_item(DueVar due, ItemVar item) const {
    return schedule_item(due, item, gen_var<"*schedule-id">());
  }

  /// The same, binding the item's schedule_id to `id` (for cancel_item).
  template <class DueVar, class ItemVar, class IdVar>
  auto schedule_item(DueVar due, ItemVar item, IdVar id) const {
    constexpr auto seq = gen_var<"*seq">();
    return block()
        .local_select(sequence(), path::null_to_val(std::int64_t{0})).out(seq)
        .local_transform(sequence(), path::null_to_val(std::int64_t{0}).term([](std::int64_t n) { return n + 1; }))
        .each([](std::int64_t due_millis, std::int64_t n) { return schedule_id{due_millis, n}; }, due, seq).out(id)
        .local_transform(items(), path::key(id).term_val(item));
  }

  /// Removes a scheduled item, if it has not fired, on the current task (its scheduling task).
  template <class IdVar>
  auto cancel_item(IdVar id) const {
    return block().local_transform(items(), path::must(id).term_void());
  }

  /// Runs `handler` once for each item that is due, on the task that scheduled it, with `item`
  /// bound to the item and `now` to the time read when the tick arrived.
  template <class ItemVar, class NowVar, class... Handler>
  auto handle_expirations(ItemVar item, NowVar now, flow<Handler...> handler) const {
    constexpr auto limit = gen_var<"*due-limit">();
    constexpr auto due_count = gen_var<"*due-count">();
    constexpr auto more = gen_var<"*more-due">();
    constexpr auto entry = gen_var<"*due-entry">();
    constexpr auto id = gen_var<"*due-id">();
    const auto due = path::sorted_map_range_to(limit, max_fetch_);
    return block()
        .each(current_time_millis).out(now)
        .all_partition()
        .each(&first_not_due, now).out(limit)
        .local_select(items(), due.view(sluice::size)).out(due_count)
        .each([max = max_fetch_](std::size_t count) { return count >= max; }, due_count).out(more)
        .if_true(more, block().continue_later())
        .local_select(items(), due.all()).out(entry)
        .each([](const std::pair<schedule_id, Item>& e) { return e.first; }, entry).out(id)
        .each([](const std::pair<schedule_id, Item>& e) { return e.second; }, entry).out(item)
        // Deleting first means the deletion commits with whatever the handler does here, or
        // with the hop it makes if it moves to another task: either way the item fires once.
        .local_transform(items(), path::must(id).term_void())
        .macro(std::move(handler));
  }

 private:
  pstate_descriptor<sequence_schema> sequence() const { return {sequence_name_}; }

  /// The smallest key after every item due at or before `now`.
  static schedule_id first_not_due(std::int64_t now) {
    constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
    constexpr auto highest = std::numeric_limits<std::int64_t>::max();
    return now == highest ? schedule_id{highest, highest} : schedule_id{now + 1, lowest};
  }

  std::string items_name_;
  std::string sequence_name_;
  std::size_t max_fetch_ = 1000;
};

}  // namespace sluice
