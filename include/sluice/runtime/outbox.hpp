#pragma once
// The outbox of a task: hop messages stored in the transaction of the event that sent them,
// delivered after it commits, and erased once their target has committed them.

#include <sluice/dataflow/plan.hpp>
#include <sluice/runtime/layout.hpp>
#include <sluice/storage/database.hpp>
#include <sluice/storage/transaction.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sluice::runtime::detail {

// A hop message as stored: to `target_task`, numbered `seq` by its source task.
struct outbound_message {
  std::uint32_t target_task;
  std::uint64_t seq;
  outbox_message message;
};

// The hop_sink of one event. Sends are collected in memory while handlers run and stored only
// once they all returned, in the event's own transaction: a handler's own nested transactions do
// not get in the way, and a handler that throws leaves nothing behind. Used by one thread.
class outbox_sink final : public dataflow::hop_sink {
 public:
  outbox_sink(const dataflow::module_plan& plan, std::uint32_t task_count) : plan_(plan), task_count_(task_count) {}

  // Sends from now on continue `topology`.
  void use_topology(std::uint32_t topology) noexcept { topology_ = topology; }

  void send(std::uint32_t target_task, std::uint32_t hop, std::string payload) override {
    check_hop(hop);
    if (target_task >= task_count_)
      throw std::out_of_range("sluice: a hop to task " + std::to_string(target_task) + ", but the module has " +
                              std::to_string(task_count_) + " tasks");
    pending_.push_back({target_task, 0, {topology_, hop, std::move(payload)}});
  }

  void send_to_all(std::uint32_t hop, std::string payload) override {
    check_hop(hop);
    for (std::uint32_t target = 0; target + 1 < task_count_; ++target)
      pending_.push_back({target, 0, {topology_, hop, payload}});
    pending_.push_back({task_count_ - 1, 0, {topology_, hop, std::move(payload)}});
  }

  // Numbers the sends after the last stored sequence number and stores them in `outbox`;
  // returns them, for delivery once the transaction commits.
  std::vector<outbound_message> write(storage::write_txn& txn, storage::database outbox, storage::database meta) {
    if (pending_.empty()) return {};
    std::uint64_t seq = read_value<std::uint64_t>(txn, meta, meta_key::outbox_next_seq).value_or(1);
    for (outbound_message& sent : pending_) {
      sent.seq = seq++;
      txn.put(outbox, outbox_key(sent.target_task, sent.seq), codec::encode_value(sent.message));
    }
    txn.put(meta, meta_key::outbox_next_seq, codec::encode_value(seq));
    return std::exchange(pending_, {});
  }

 private:
  void check_hop(std::uint32_t hop) const {
    const auto& topology = plan_.topologies[topology_];
    if (hop >= topology.hops.size())
      throw std::out_of_range("sluice: hop " + std::to_string(hop) + " of topology '" + topology.name + "', which has " +
                              std::to_string(topology.hops.size()) + " hops");
  }

  const dataflow::module_plan& plan_;
  std::uint32_t task_count_;
  std::uint32_t topology_ = 0;
  std::vector<outbound_message> pending_;
};

// Every message of the outbox, by target and then in sequence: what a launch re-sends.
template <class Txn>
std::vector<outbound_message> read_outbox(Txn& txn, storage::database outbox) {
  std::vector<outbound_message> messages;
  auto cursor = txn.open_cursor(outbox);
  for (auto entry = cursor.first(); entry; entry = cursor.next()) {
    const auto [target, seq] = codec::decode_key<std::tuple<std::uint32_t, std::uint64_t>>(entry->key);
    messages.push_back({target, seq, codec::decode_value<outbox_message>(entry->value)});
  }
  return messages;
}

// Erases the messages to `target_task` numbered up to `up_to_seq`; returns how many there were.
inline std::size_t prune_outbox(storage::write_txn& txn, storage::database outbox, std::uint32_t target_task,
                                std::uint64_t up_to_seq) {
  const std::string last = outbox_key(target_task, up_to_seq);  // key order is (target, seq) order
  std::size_t erased = 0;
  auto cursor = txn.open_cursor(outbox);
  for (auto entry = cursor.seek(outbox_key(target_task, 0)); entry && entry->key <= last; entry = cursor.next()) {
    cursor.erase_current();
    ++erased;
  }
  return erased;
}

}  // namespace sluice::runtime::detail
