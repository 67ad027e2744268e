#pragma once
// A module plan, checked once at launch and indexed for the lookups events and clients make.

#include <sluice/dataflow/plan.hpp>
#include <sluice/runtime/cluster_error.hpp>
#include <sluice/runtime/layout.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sluice::runtime::detail {

// One topology's subscription to a depot or tick depot.
struct subscriber {
  std::uint32_t topology;
  std::uint32_t source;            // index into that topology's sources
  std::string source_offset_key;   // where the topology's offset in the depot is stored
};

// A PState of the module: the topology that declares it and its place in that declaration.
struct pstate_ref {
  std::uint32_t topology;
  std::uint32_t index;
};

// Immutable after construction, so any thread may read it.
class module_spec {
 public:
  // Throws cluster_error if the plan is malformed: names missing, repeated or unsafe as a directory
  // name, a subscription to an undeclared depot, an empty handler, a tick interval below 1 ms.
  explicit module_spec(dataflow::module_plan plan) : plan_(std::move(plan)) {
    check_module_name();
    index_depots();
    index_topologies();
  }

  [[nodiscard]] const dataflow::module_plan& plan() const noexcept { return plan_; }
  [[nodiscard]] const std::string& name() const noexcept { return plan_.name; }

  [[nodiscard]] std::optional<std::uint32_t> find_depot(std::string_view name) const { return find(depots_, name); }
  [[nodiscard]] std::optional<std::uint32_t> find_tick(std::string_view name) const { return find(ticks_, name); }
  [[nodiscard]] std::optional<pstate_ref> find_pstate(std::string_view name) const {
    const auto found = pstates_.find(std::string(name));
    return found == pstates_.end() ? std::nullopt : std::optional{found->second};
  }

  [[nodiscard]] std::span<const subscriber> depot_subscribers(std::uint32_t depot) const { return depot_subscribers_[depot]; }
  [[nodiscard]] std::span<const subscriber> tick_subscribers(std::uint32_t tick) const { return tick_subscribers_[tick]; }

  [[nodiscard]] const dataflow::source_handler& handler(const subscriber& s) const {
    return plan_.topologies[s.topology].sources[s.source].handler;
  }

  // The named databases each task environment holds.
  [[nodiscard]] unsigned database_count() const noexcept {
    return bookkeeping_databases + static_cast<unsigned>(plan_.depots.size() + pstates_.size());
  }

 private:
  using name_index = std::unordered_map<std::string, std::uint32_t>;

  static std::optional<std::uint32_t> find(const name_index& index, std::string_view name) {
    const auto found = index.find(std::string(name));
    return found == index.end() ? std::nullopt : std::optional{found->second};
  }

  [[noreturn]] void reject(const std::string& problem) const {
    throw cluster_error("module plan '" + plan_.name + "': " + problem);
  }

  // The name becomes a directory of the cluster's: nothing that could escape it or hide.
  void check_module_name() const {
    const std::string& name = plan_.name;
    if (name.empty()) throw cluster_error("a module plan needs a name");
    if (name.front() == '.' || name.find_first_of(std::string_view{"/\\\0", 3}) != std::string::npos)
      reject("a module's name is a directory name: no '/', '\\' or NUL, and no leading '.'");
  }

  void add_name(name_index& index, const std::string& name, std::uint32_t position, std::string_view kind) {
    if (name.empty()) reject("a " + std::string(kind) + " needs a name");
    if (depots_.contains(name) || ticks_.contains(name) || !index.emplace(name, position).second)
      reject("the name '" + name + "' is declared twice");
  }

  void index_depots() {
    for (std::uint32_t i = 0; i < plan_.depots.size(); ++i) add_name(depots_, plan_.depots[i].name, i, "depot");
    for (std::uint32_t i = 0; i < plan_.ticks.size(); ++i) {
      const dataflow::tick_plan& tick = plan_.ticks[i];
      add_name(ticks_, tick.name, i, "tick depot");
      if (tick.interval.count() < 1) reject("the tick depot '" + tick.name + "' needs an interval of at least 1 ms");
    }
    depot_subscribers_.resize(plan_.depots.size());
    tick_subscribers_.resize(plan_.ticks.size());
  }

  void index_topologies() {
    name_index topology_names;
    for (std::uint32_t t = 0; t < plan_.topologies.size(); ++t) {
      const dataflow::topology_plan& topology = plan_.topologies[t];
      if (topology.name.empty()) reject("a topology needs a name");
      if (!topology_names.emplace(topology.name, t).second)
        reject("the topology '" + topology.name + "' is declared twice");
      index_pstates(topology, t);
      index_sources(topology, t);
      for (const dataflow::hop_plan& hop : topology.hops)
        if (!hop.handler) reject("the topology '" + topology.name + "' has an empty hop handler");
    }
  }

  void index_pstates(const dataflow::topology_plan& topology, std::uint32_t t) {
    for (std::uint32_t i = 0; i < topology.pstates.size(); ++i) {
      const std::string& name = topology.pstates[i].name;
      if (name.empty()) reject("the topology '" + topology.name + "' declares a PState without a name");
      if (!pstates_.emplace(name, pstate_ref{t, i}).second)
        reject("the PState '" + name + "' is declared twice (PState names are unique in a module)");
    }
  }

  void index_sources(const dataflow::topology_plan& topology, std::uint32_t t) {
    for (std::uint32_t s = 0; s < topology.sources.size(); ++s) {
      const dataflow::source_subscription& source = topology.sources[s];
      if (!source.handler) reject("the topology '" + topology.name + "' has an empty source handler");
      subscriber entry{t, s, source_offset_key(topology.name, source.depot)};
      if (const auto depot = find_depot(source.depot))
        depot_subscribers_[*depot].push_back(std::move(entry));
      else if (const auto tick = find_tick(source.depot))
        tick_subscribers_[*tick].push_back(std::move(entry));
      else
        reject("the topology '" + topology.name + "' subscribes to '" + source.depot + "', which the module does not declare");
    }
  }

  dataflow::module_plan plan_;
  name_index depots_;
  name_index ticks_;
  std::unordered_map<std::string, pstate_ref> pstates_;
  std::vector<std::vector<subscriber>> depot_subscribers_;
  std::vector<std::vector<subscriber>> tick_subscribers_;
};

}  // namespace sluice::runtime::detail
