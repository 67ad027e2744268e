#pragma once
// One round of group commit on one task: every event in a nested transaction of one write
// transaction, then one commit. What happens after the commit (acks, delivery) is the worker's.

#include <sluice/codec/value_codec.hpp>
#include <sluice/dataflow/plan.hpp>
#include <sluice/runtime/cluster_error.hpp>
#include <sluice/runtime/event.hpp>
#include <sluice/runtime/layout.hpp>
#include <sluice/runtime/module_spec.hpp>
#include <sluice/runtime/outbox.hpp>
#include <sluice/runtime/task.hpp>
#include <sluice/storage/transaction.hpp>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sluice::runtime::detail {

// What one event came to, if the round committed.
struct event_outcome {
  std::exception_ptr failure;          // what its handler (or its bookkeeping) threw; its writes rolled back
  std::vector<outbound_message> sent;  // hop messages it stored in the outbox
};

struct round_result {
  std::exception_ptr failure;                      // the round's transaction failed: nothing committed
  std::vector<event_outcome> outcomes;             // one per event, in order
  std::map<std::uint32_t, std::uint64_t> applied;  // source task -> highest outbox seq now applied here
  std::size_t pruned = 0;                          // outbox entries erased

  [[nodiscard]] bool committed() const noexcept { return !failure; }
};

// Runs `body` in a transaction nested in `txn` and commits it; on an exception the nested
// transaction aborts, leaving `txn` as it was, and the exception is returned.
template <class Body>
std::exception_ptr in_nested(storage::write_txn& txn, Body&& body) {
  try {
    storage::write_txn nested = txn.begin_nested();
    body(nested);
    nested.commit();
    return nullptr;
  } catch (...) {
    return std::current_exception();
  }
}

// Runs on the task's worker thread, for one batch of that task's events.
class task_round {
 public:
  task_round(const module_spec& spec, task& owner, std::int64_t now_millis) noexcept
      : spec_(spec), task_(owner), dbs_(owner.databases()), now_millis_(now_millis) {}

  round_result run(std::span<event> events) {
    round_result result;
    result.outcomes.resize(events.size());
    if (task_.failure()) {
      result.failure = task_.failure();
      return result;
    }
    try {
      storage::write_txn txn = task_.environment().begin_write();
      for (std::size_t i = 0; i < events.size(); ++i)
        result.outcomes[i] = std::visit([&](const auto& body) { return process(txn, body, result); }, events[i].body);
      txn.commit();
    } catch (...) {
      result.failure = std::current_exception();
      task_.fail(result.failure);
    }
    return result;
  }

 private:
  // Stores the record at the depot partition's next offset and runs every subscribed topology on
  // it, advancing each one's source offset: all of it, or none of it.
  event_outcome process(storage::write_txn& txn, const depot_append& append, round_result&) {
    event_outcome outcome;
    outbox_sink sink{spec_.plan(), task_.count()};
    outcome.failure = in_nested(txn, [&](storage::write_txn& nested) {
      const std::uint64_t offset = task_.next_depot_offset(nested, append.depot);
      nested.put(dbs_.depots[append.depot], depot_key(offset), append.record);
      const std::string next_offset = codec::encode_value(offset + 1);
      for (const subscriber& s : spec_.depot_subscribers(append.depot)) {
        run_source(nested, s, append.record, now_millis_, sink);
        nested.put(dbs_.source_offsets, s.source_offset_key, next_offset);
      }
      outcome.sent = sink.write(nested, dbs_.outbox, dbs_.meta);
    });
    if (outcome.failure) outcome.sent.clear();
    return outcome;
  }

  // Runs every topology subscribed to the tick depot. Ticks are not stored.
  event_outcome process(storage::write_txn& txn, const tick_emission& tick, round_result&) {
    event_outcome outcome;
    outbox_sink sink{spec_.plan(), task_.count()};
    const std::string time = codec::encode_value(tick.time_millis);
    outcome.failure = in_nested(txn, [&](storage::write_txn& nested) {
      for (const subscriber& s : spec_.tick_subscribers(tick.tick)) run_source(nested, s, time, tick.time_millis, sink);
      outcome.sent = sink.write(nested, dbs_.outbox, dbs_.meta);
    });
    if (outcome.failure) outcome.sent.clear();
    return outcome;
  }

  // Applies a hop message unless an earlier round did, recording it as applied in the same
  // transaction. A handler that throws is not retried: its effects roll back, the message is
  // recorded as applied all the same, and the failure goes to whoever waits for it.
  event_outcome process(storage::write_txn& txn, const hop_delivery& delivery, round_result& result) {
    event_outcome outcome;
    if (delivery.seq <= task_.applied_seq(txn, delivery.source_task)) {
      note_applied(result, delivery);  // re-sent after a restart; its source may prune it now
      return outcome;
    }
    const std::string applied = codec::encode_value(delivery.seq);
    outbox_sink sink{spec_.plan(), task_.count()};
    outcome.failure = in_nested(txn, [&](storage::write_txn& nested) {
      const dataflow::hop_handler& handler = find_hop(delivery);
      sink.use_topology(delivery.topology);
      dataflow::event_context context{nested, task_.index(), task_.count(), now_millis_,
                                      task_.pstates(delivery.topology), sink};
      handler(context, delivery.payload);
      nested.put(dbs_.applied, applied_key(delivery.source_task), applied);
      outcome.sent = sink.write(nested, dbs_.outbox, dbs_.meta);
    });
    if (outcome.failure) {
      outcome.sent.clear();
      txn.put(dbs_.applied, applied_key(delivery.source_task), applied);
    }
    note_applied(result, delivery);
    return outcome;
  }

  // Erases outbox entries a target has applied. A failure leaves them, to be re-sent and
  // skipped at the next launch: nothing waits for a prune.
  event_outcome process(storage::write_txn& txn, const outbox_prune& prune, round_result& result) {
    event_outcome outcome;
    std::size_t erased = 0;
    outcome.failure = in_nested(txn, [&](storage::write_txn& nested) {
      erased = prune_outbox(nested, dbs_.outbox, prune.target_task, prune.up_to_seq);
    });
    if (!outcome.failure) result.pruned += erased;
    return outcome;
  }

  void run_source(storage::write_txn& nested, const subscriber& s, std::string_view input, std::int64_t now_millis,
                  outbox_sink& sink) {
    sink.use_topology(s.topology);
    dataflow::event_context context{nested, task_.index(), task_.count(), now_millis, task_.pstates(s.topology), sink};
    spec_.handler(s)(context, input);
  }

  // The handler a stored message names; a plan changed since it was sent may no longer have it.
  const dataflow::hop_handler& find_hop(const hop_delivery& delivery) const {
    const auto& topologies = spec_.plan().topologies;
    if (delivery.topology >= topologies.size() || delivery.hop >= topologies[delivery.topology].hops.size())
      throw cluster_error("a hop message from task " + std::to_string(delivery.source_task) + " names hop " +
                          std::to_string(delivery.hop) + " of topology " + std::to_string(delivery.topology) +
                          ", which the module '" + spec_.name() + "' does not have");
    return topologies[delivery.topology].hops[delivery.hop].handler;
  }

  static void note_applied(round_result& result, const hop_delivery& delivery) {
    std::uint64_t& highest = result.applied[delivery.source_task];
    highest = std::max(highest, delivery.seq);
  }

  const module_spec& spec_;
  task& task_;
  const task_databases& dbs_;
  std::int64_t now_millis_;
};

}  // namespace sluice::runtime::detail
