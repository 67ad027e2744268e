#pragma once
// Defining a module: `setup` collects its depots, `topologies` its stream topologies, and each
// stream_topology its PStates and chains. Adding a chain compiles it (pipeline.hpp) into the
// handlers of a topology_plan; define() therefore runs once, at launch.

#include <sluice/codec/describe.hpp>
#include <sluice/codec/value_codec.hpp>
#include <sluice/dataflow/declarations.hpp>
#include <sluice/dataflow/flow.hpp>
#include <sluice/dataflow/flow_check.hpp>
#include <sluice/dataflow/ops.hpp>
#include <sluice/dataflow/pipeline.hpp>
#include <sluice/dataflow/plan.hpp>
#include <sluice/pstate/schema.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace sluice {

/// A module definition that cannot run: a duplicate name, a chain from an undeclared depot, a
/// write to a PState its topology does not declare. Thrown by launch, before anything is opened.
class definition_error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

class setup {
 public:
  explicit setup(dataflow::module_plan& plan) : plan_(plan) {}

  template <class... Depots>
  void declare(const Depots&... depots) {
    (add(depots), ...);
  }

 private:
  template <class Record, class Partitioner>
  void add(const depot_descriptor<Record, Partitioner>& depot) {
    claim(depot.name);
    plan_.depots.push_back({std::string(depot.name), codec::describe_encoding<Record>()});
  }
  void add(const tick_depot_descriptor& tick) {
    claim(tick.name);
    if (tick.interval.count() <= 0) throw definition_error("sluice: tick depot " + std::string(tick.name) + " needs a positive interval");
    plan_.ticks.push_back({std::string(tick.name), tick.interval});
  }
  void claim(std::string_view name) {
    const bool taken = std::ranges::find(plan_.depots, name, &dataflow::stored_declaration::name) != plan_.depots.end() ||
                       std::ranges::find(plan_.ticks, name, &dataflow::tick_plan::name) != plan_.ticks.end();
    if (taken) throw definition_error("sluice: depot " + std::string(name) + " is declared twice");
  }

  dataflow::module_plan& plan_;
};

class stream_topology {
 public:
  explicit stream_topology(std::string name) { plan_.name = std::move(name); }

  /// Declares a PState this topology owns (and alone writes).
  template <class Schema>
  void declare(const pstate_descriptor<Schema>& pstate) {
    if (index_of(pstate.name) != plan_.pstates.size())
      throw definition_error("sluice: topology " + plan_.name + " declares PState " + std::string(pstate.name) + " twice");
    plan_.pstates.push_back({std::string(pstate.name), schema::describe<Schema>()});
  }

  /// Adds a chain that starts at a source(...).
  template <class... Ops>
  void add(flow<Ops...> chain) {
    static_assert(flow<Ops...>::is_chain, "sluice dataflow: add() takes a chain that starts with sluice::source(depot)");
    if constexpr (flow<Ops...>::is_chain) compile(std::move(chain.ops));
  }
  /// A chain whose compile-time check failed: the error has been reported already.
  void add(rejected_flow) {}

  const std::string& name() const noexcept { return plan_.name; }
  dataflow::topology_plan take_plan() && { return std::move(plan_); }

 private:
  using program_end = decltype([](auto&&) {});

  std::size_t index_of(std::string_view pstate) const {
    const auto found = std::ranges::find(plan_.pstates, pstate, &dataflow::stored_declaration::name);
    return static_cast<std::size_t>(found - plan_.pstates.begin());
  }

  /// Points every PState op (in branches too) at its declaration.
  template <class Tuple>
  void bind_pstates(Tuple& ops) const {
    std::apply([&](auto&... op) { (bind_pstate(op), ...); }, ops);
  }
  template <class Op>
  void bind_pstate(Op& op) const {
    if constexpr (dataflow::is_local_select_op_v<Op> || dataflow::is_local_transform_op_v<Op>) {
      op.pstate_index = index_of(op.pstate);
      if (op.pstate_index == plan_.pstates.size())
        throw definition_error("sluice: topology " + plan_.name + " uses PState " + op.pstate +
                               ", which it does not declare; call declare() on the topology first");
    } else if constexpr (dataflow::is_if_true_op_v<Op>) {
      bind_pstates(op.then_ops);
      bind_pstates(op.else_ops);
    }
  }

  template <class Source, class... Ops>
  void compile(std::tuple<Source, Ops...> ops) {
    using program = std::tuple<Source, Ops...>;
    bind_pstates(ops);
    number_hops(ops, std::index_sequence_for<Source, Ops...>{});
    auto shared = std::make_shared<const program>(std::move(ops));
    add_hop_handlers(shared, std::index_sequence_for<Source, Ops...>{});

    using record = typename decltype(std::get<0>(*shared).depot)::record_type;
    plan_.sources.push_back({std::string(std::get<0>(*shared).depot.name),
                             [shared](dataflow::event_context& ctx, std::string_view bytes) {
                               program_end end;
                               dataflow::run<1, dataflow::state<dataflow::environment<>, record>>(
                                   *shared, ctx, {}, codec::decode_value<record>(bytes), end, dataflow::no_resume{});
                             }});
  }

  template <class Program, std::size_t... I>
  void number_hops(Program& ops, std::index_sequence<I...>) {
    auto next_hop = static_cast<std::uint32_t>(plan_.hops.size());
    auto number = [&](auto& op) {
      if constexpr (dataflow::is_partition_op_v<std::remove_cvref_t<decltype(op)>>) op.hop = next_hop++;
    };
    (number(std::get<I>(ops)), ...);
  }

  template <class Program, std::size_t... I>
  void add_hop_handlers(const std::shared_ptr<const Program>& shared, std::index_sequence<I...>) {
    (add_hop_handler<I>(shared), ...);
  }

  /// The rest of the chain after partitioner I, as the target task runs it.
  template <std::size_t I, class Program>
  void add_hop_handler(const std::shared_ptr<const Program>& shared) {
    if constexpr (dataflow::is_partition_op_v<std::tuple_element_t<I, Program>>) {
      using after = typename dataflow::state_before<I + 1, Program>::type;
      const std::uint32_t hop = std::get<I>(*shared).hop;
      auto handler = [shared, hop](dataflow::event_context& ctx, std::string_view payload) {
        program_end end;
        const dataflow::resume_after<typename after::env> resume{hop};
        dataflow::run<I + 1, after>(*shared, ctx, codec::decode_value<typename after::env::values>(payload),
                                    dataflow::nothing{}, end, resume);
      };
      plan_.hops.emplace_back(std::move(handler),
                              "from " + std::string(std::get<0>(*shared).depot.name) + ": " + after::env::describe());
    }
  }

  dataflow::topology_plan plan_;
};

class topologies {
 public:
  /// A new stream topology called `name`.
  stream_topology& stream(std::string name) {
    for (const auto& t : topologies_)
      if (t.name() == name) throw definition_error("sluice: topology " + name + " is declared twice");
    return topologies_.emplace_back(std::move(name));
  }

  std::vector<dataflow::topology_plan> take_plans() && {
    std::vector<dataflow::topology_plan> plans;
    for (auto& t : topologies_) plans.push_back(std::move(t).take_plan());
    return plans;
  }

 private:
  std::deque<stream_topology> topologies_;  // a deque: references handed out stay valid
};

}  // namespace sluice
