#pragma once
// Runs a module plan synchronously on N task environments in one thread: each append and each
// hop is one transaction on its task, hops are processed in the order sent. It lets the dataflow
// tests check what a chain computes, deterministically, apart from the runtime's threads and
// recovery (which the runtime tests cover).

#include "temp_dir.hpp"

#include <sluice/codec/value_codec.hpp>
#include <sluice/dataflow/module.hpp>
#include <sluice/dataflow/plan.hpp>
#include <sluice/pstate/partition.hpp>
#include <sluice/storage.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace sluice_test {

class plan_runner : private sluice::dataflow::hop_sink {
 public:
  plan_runner(sluice::dataflow::module_plan plan, std::uint32_t tasks) : plan_(std::move(plan)) {
    for (std::uint32_t t = 0; t < tasks; ++t) {
      auto dir = dir_.path() / ("task-" + std::to_string(t));
      std::filesystem::create_directories(dir);
      auto env = sluice::storage::open_environment(dir, {.map_size = std::size_t{64} << 20, .durable = false});
      auto txn = env->begin_write();
      std::vector<std::vector<sluice::storage::database>> pstates;
      for (const auto& topology : plan_.topologies) {
        auto& dbs = pstates.emplace_back();
        for (const auto& pstate : topology.pstates) dbs.push_back(env->open_database(txn, "pstate:" + pstate.name));
      }
      txn.commit();
      tasks_.push_back({std::move(env), std::move(pstates)});
    }
  }

  /// Runs every subscription of `depot` for `record` on `task`, then every hop that follows.
  template <class Record>
  void append(const std::string& depot, std::uint32_t task, const Record& record, std::int64_t now = 0) {
    const std::string bytes = sluice::codec::encode_value(record);
    for (std::size_t t = 0; t < plan_.topologies.size(); ++t)
      for (const auto& source : plan_.topologies[t].sources)
        if (source.depot == depot) run(t, task, now, [&](auto& ctx) { source.handler(ctx, bytes); });
    drain(now);
  }

  /// The partition of topology `topology`'s PState `index` on `task`, with a read transaction.
  template <class Schema, class Path>
  auto select(std::uint32_t task, std::size_t pstate_index, const Path& path, std::size_t topology = 0) {
    auto txn = tasks_[task].env->begin_read();
    return sluice::pstate_partition<Schema>{tasks_[task].pstates[topology][pstate_index]}.select(txn, path);
  }

  std::uint32_t task_count() const { return static_cast<std::uint32_t>(tasks_.size()); }
  std::size_t hops_sent() const { return hops_sent_; }

 private:
  struct task_state {
    std::shared_ptr<sluice::storage::environment> env;
    std::vector<std::vector<sluice::storage::database>> pstates;  // per topology
  };
  struct message {
    std::size_t topology;
    std::uint32_t target;
    std::uint32_t hop;
    std::string payload;
  };

  template <class Body>
  void run(std::size_t topology, std::uint32_t task, std::int64_t now, Body&& body) {
    auto txn = tasks_[task].env->begin_write();
    current_topology_ = topology;
    sluice::dataflow::event_context ctx{txn, task, task_count(), now, tasks_[task].pstates[topology], *this};
    body(ctx);
    txn.commit();
  }

  void drain(std::int64_t now) {
    while (!queue_.empty()) {
      message m = std::move(queue_.front());
      queue_.pop_front();
      run(m.topology, m.target, now, [&](auto& ctx) { plan_.topologies[m.topology].hops[m.hop].handler(ctx, m.payload); });
    }
  }

  void send(std::uint32_t target, std::uint32_t hop, std::string payload) override {
    ++hops_sent_;
    queue_.push_back({current_topology_, target, hop, std::move(payload)});
  }
  void send_to_all(std::uint32_t hop, std::string payload) override {
    for (std::uint32_t t = 0; t < task_count(); ++t) send(t, hop, payload);
  }

  temp_dir dir_;
  sluice::dataflow::module_plan plan_;
  std::vector<task_state> tasks_;
  std::deque<message> queue_;
  std::size_t current_topology_ = 0;
  std::size_t hops_sent_ = 0;
};

}  // namespace sluice_test
