#pragma once
// What a module directory holds, checked against the code launched on it before anything is
// written: every depot and PState must be declared with the encoding its data was stored with,
// and every hop message an outbox still owes its target must find the hop it was stored for.
// Either mismatch would make the data misread, or the messages run the wrong code or be dropped.

#include <sluice/codec/decode_error.hpp>
#include <sluice/codec/value_codec.hpp>
#include <sluice/dataflow/plan.hpp>
#include <sluice/runtime/cluster_error.hpp>
#include <sluice/runtime/layout.hpp>
#include <sluice/runtime/module_directory.hpp>
#include <sluice/runtime/outbox.hpp>
#include <sluice/storage/environment.hpp>
#include <sluice/storage/transaction.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::runtime::detail {

// The messages each task's outbox holds, by task.
using stored_outboxes = std::vector<std::vector<outbound_message>>;

inline stored_outboxes read_outboxes(const std::vector<std::shared_ptr<storage::environment>>& environments) {
  stored_outboxes outboxes;
  for (const auto& env : environments) {
    auto& messages = outboxes.emplace_back();
    if (const auto outbox = env->find_database(outbox_database)) {  // absent until a first launch
      auto txn = env->begin_read();
      messages = read_outbox(txn, *outbox);
    }
  }
  return outboxes;
}

class stored_type_check {
 public:
  // `environments` were opened and checked by open_module_directory; `outboxes` read from them.
  stored_type_check(const std::filesystem::path& module_dir, const dataflow::module_plan& plan,
                    const std::vector<std::shared_ptr<storage::environment>>& environments,
                    const stored_outboxes& outboxes)
      : module_dir_(module_dir), plan_(plan), environments_(environments), outboxes_(outboxes) {}

  // Throws cluster_error, having written nothing, at the first mismatch; then records in every
  // task what the directory lacks (types of new depots and PStates, or of a directory made before
  // types were recorded) and the stored type of every hop of the plan.
  void run() const {
    for (std::uint32_t t = 0; t < environments_.size(); ++t) verify_stores(t);
    verify_pending_hops();
    for (const auto& env : environments_) record(*env);
  }

 private:
  // Calls visit(kind, declaration, meta key) for each depot and PState declared with a type.
  template <class Visit>
  void for_each_typed_store(Visit visit) const {
    for (const dataflow::stored_declaration& depot : plan_.depots)
      if (!depot.stored_type.empty()) visit("depot", depot, meta_key::stored_type(depot_database(depot.name)));
    for (const dataflow::topology_plan& topology : plan_.topologies)
      for (const dataflow::stored_declaration& pstate : topology.pstates)
        if (!pstate.stored_type.empty()) visit("PState", pstate, meta_key::stored_type(pstate_database(pstate.name)));
  }

  // What the plan says of hop `hop` of topology `topology`, as recorded: nullopt for a hop it
  // does not check, "no such hop" for one it does not have.
  std::optional<std::string> hop_type(std::uint32_t topology, std::uint32_t hop) const {
    if (topology >= plan_.topologies.size() || hop >= plan_.topologies[topology].hops.size()) return "no such hop";
    const dataflow::topology_plan& declared = plan_.topologies[topology];
    if (declared.hops[hop].stored_type.empty()) return std::nullopt;
    return "topology '" + declared.name + "', " + declared.hops[hop].stored_type;
  }

  // The value under `key` in a bookkeeping database of task `task`; corrupt bytes make the
  // directory foreign.
  template <class T>
  std::optional<T> read_stored(std::uint32_t task, const storage::read_txn& txn, storage::database db,
                               std::string_view key) const {
    try {
      return read_value<T>(txn, db, key);
    } catch (const decode_error& e) {
      meta_check{task_directory(module_dir_, task), plan_.name, task, task_count()}.foreign(
          "its '" + std::string(key) + "' is corrupt: " + e.what());
    }
  }

  void verify_stores(std::uint32_t task) const {
    const storage::environment& env = *environments_[task];
    const storage::database meta = *env.find_database(meta_database);
    const auto txn = env.begin_read();
    for_each_typed_store([&](std::string_view kind, const dataflow::stored_declaration& store, const std::string& key) {
      const auto recorded = read_stored<std::string>(task, txn, meta, key);
      if (recorded && *recorded != store.stored_type)
        refuse("it stores its " + std::string(kind) + " '" + store.name + "' as " + *recorded +
               ", but the module now declares it as " + store.stored_type +
               "; stored data is never converted: declare the old type again, or a new " + std::string(kind) +
               " under another name");
    });
  }

  // Refuses messages that their targets have not applied yet if the hop they name has changed.
  void verify_pending_hops() const {
    for (const auto& [hop, count] : pending_hops()) {
      const auto& [topology, index, source] = hop;
      const storage::environment& env = *environments_[source];
      const storage::database meta = *env.find_database(meta_database);
      const auto txn = env.begin_read();
      const auto recorded = read_stored<std::string>(source, txn, meta, meta_key::hop_type(topology, index));
      const auto declared = hop_type(topology, index);
      if (!recorded || !declared || *recorded == *declared) continue;
      refuse("the outbox of task " + std::to_string(source) + " holds " + std::to_string(count) +
             " hop messages not yet applied for hop " + std::to_string(index) + " of topology " +
             std::to_string(topology) + ", stored for " + *recorded + ", where the module now has " + *declared +
             "; they would be misread or dropped: launch the code that stored them until every outbox is empty "
             "(sluice_outbox_size 0), then change it");
    }
  }

  struct pending_hop {
    std::uint32_t topology;
    std::uint32_t hop;
    std::uint32_t source_task;
    auto operator<=>(const pending_hop&) const = default;
  };

  // The hops that messages in outboxes still owe their targets, with how many of them, by source.
  std::map<pending_hop, std::size_t> pending_hops() const {
    const auto applied = applied_seqs();
    std::map<pending_hop, std::size_t> pending;
    for (std::uint32_t source = 0; source < outboxes_.size(); ++source)
      for (const outbound_message& m : outboxes_[source])
        if (m.target_task < task_count() && m.seq > applied[m.target_task][source])
          ++pending[{m.message.topology, m.message.hop, source}];
    return pending;
  }

  // [target][source]: the highest sequence number of source's messages that target has applied.
  std::vector<std::vector<std::uint64_t>> applied_seqs() const {
    std::vector<std::vector<std::uint64_t>> seqs(task_count(), std::vector<std::uint64_t>(task_count(), 0));
    for (std::uint32_t target = 0; target < task_count(); ++target) {
      const storage::environment& env = *environments_[target];
      const auto applied = env.find_database(applied_database);
      if (!applied) continue;
      const auto txn = env.begin_read();
      for (std::uint32_t source = 0; source < task_count(); ++source)
        seqs[target][source] = read_stored<std::uint64_t>(target, txn, *applied, applied_key(source)).value_or(0);
    }
    return seqs;
  }

  // Commits only if something changed: most launches write nothing.
  void record(storage::environment& env) const {
    auto txn = env.begin_write();
    const storage::database meta = env.open_database(txn, meta_database);
    bool changed = false;
    const auto put_if_other = [&](const std::string& key, const std::string& value) {
      const std::string encoded = codec::encode_value(value);
      if (txn.get(meta, key) == encoded) return;
      txn.put(meta, key, encoded);
      changed = true;
    };
    // Verified: what is recorded already equals what the plan declares.
    for_each_typed_store([&](std::string_view, const dataflow::stored_declaration& store, const std::string& key) {
      put_if_other(key, store.stored_type);
    });
    for (std::uint32_t t = 0; t < plan_.topologies.size(); ++t)
      for (std::uint32_t h = 0; h < plan_.topologies[t].hops.size(); ++h)
        if (const auto declared = hop_type(t, h)) put_if_other(meta_key::hop_type(t, h), *declared);
    if (changed) txn.commit();
  }

  [[noreturn]] void refuse(const std::string& why) const {
    throw cluster_error("the module '" + plan_.name + "' in '" + module_dir_.string() + "' cannot be launched: " + why);
  }

  [[nodiscard]] std::uint32_t task_count() const noexcept { return static_cast<std::uint32_t>(environments_.size()); }

  const std::filesystem::path& module_dir_;
  const dataflow::module_plan& plan_;
  const std::vector<std::shared_ptr<storage::environment>>& environments_;
  const stored_outboxes& outboxes_;
};

}  // namespace sluice::runtime::detail
