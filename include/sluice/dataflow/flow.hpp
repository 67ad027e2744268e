#pragma once
// Chains and blocks: `sluice::source(depot).out("*x"_v).each(fn, "*x"_v)...` and
// `sluice::block().each(...)...`. Every step returns a new flow type carrying all its ops. A chain
// that starts at a source is checked at every step (flow_check.hpp), so a misuse is reported at
// the line that made it; a block is checked where macro() splices it into a chain.

#include <sluice/dataflow/declarations.hpp>
#include <sluice/dataflow/flow_check.hpp>
#include <sluice/dataflow/ops.hpp>
#include <sluice/pstate/path.hpp>

#include <string>
#include <tuple>
#include <utility>

namespace sluice {

/// Stands in for a chain whose check failed, so that the one error is all the compiler says:
/// every further step is accepted and does nothing.
struct rejected_flow {
  template <class... A> constexpr rejected_flow each(A&&...) const { return {}; }
  template <class... A> constexpr rejected_flow out(A&&...) const { return {}; }
  template <class... A> constexpr rejected_flow keep_true(A&&...) const { return {}; }
  template <class... A> constexpr rejected_flow if_true(A&&...) const { return {}; }
  template <class... A> constexpr rejected_flow local_select(A&&...) const { return {}; }
  template <class... A> constexpr rejected_flow local_transform(A&&...) const { return {}; }
  template <class... A> constexpr rejected_flow hash_partition(A&&...) const { return {}; }
  template <class... A> constexpr rejected_flow all_partition(A&&...) const { return {}; }
  template <class... A> constexpr rejected_flow direct_partition(A&&...) const { return {}; }
  template <class... A> constexpr rejected_flow macro(A&&...) const { return {}; }
  template <class... A> constexpr rejected_flow continue_later(A&&...) const { return {}; }
};

template <class... Ops>
struct flow {
  std::tuple<Ops...> ops;

  /// Whether this flow starts at a source (a chain) rather than being a block.
  static constexpr bool is_chain = dataflow::is_source_op_v<std::tuple_element_t<0, std::tuple<Ops..., void>>>;

  template <class Fn, class... Args>
  auto each(Fn fn, Args... args) const {
    return then(dataflow::each_op<Fn, Args...>{std::move(fn), {std::move(args)...}});
  }
  template <class Var>
  auto out(Var) const {
    return then(dataflow::out_op<Var>{});
  }
  template <class Var>
  auto keep_true(Var) const {
    return then(dataflow::keep_true_op<Var>{});
  }
  template <class Cond, class... Then, class... Else>
  auto if_true(Cond, flow<Then...> then_block, flow<Else...> else_block = flow<>{}) const {
    return then(dataflow::if_true_op<Cond, std::tuple<Then...>, std::tuple<Else...>>{std::move(then_block.ops),
                                                                                        std::move(else_block.ops)});
  }
  template <class Schema, class Path>
  auto local_select(const pstate_descriptor<Schema>& pstate, Path path) const {
    return then(dataflow::local_select_op<Schema, Path>{std::string(pstate.name), std::move(path)});
  }
  template <class Schema, class Path>
  auto local_transform(const pstate_descriptor<Schema>& pstate, Path path) const {
    return then(dataflow::local_transform_op<Schema, Path>{std::string(pstate.name), std::move(path)});
  }
  template <class Var>
  auto hash_partition(Var) const {
    return then(dataflow::hash_partition_op<Var>{});
  }
  auto all_partition() const { return then(dataflow::all_partition_op{}); }
  template <class Var>
  auto direct_partition(Var) const {
    return then(dataflow::direct_partition_op<Var>{});
  }
  /// Also runs the chain again from right after the last partitioner, with the variables bound
  /// there, in a new event on this task; this event goes on (a long job works in rounds).
  auto continue_later() const { return then(dataflow::continue_later_op{}); }
  /// Splices a block's ops here, as if written inline.
  template <class... Block>
  auto macro(flow<Block...> block) const {
    return checked(flow<Ops..., Block...>{std::tuple_cat(ops, std::move(block.ops))});
  }

 private:
  template <class Op>
  auto then(Op op) const {
    return checked(flow<Ops..., Op>{std::tuple_cat(ops, std::tuple<Op>{std::move(op)})});
  }

  template <class... Next>
  static auto checked(flow<Next...> next) {
    if constexpr (flow<Next...>::is_chain) {
      constexpr bool fits = dataflow::assert_chain_fits<Next...>();
      if constexpr (!fits) return rejected_flow{};
      else return next;
    } else {
      return next;
    }
  }
};

/// Starts a chain at a depot: it emits each appended record.
template <class Record, class Partitioner>
flow<dataflow::source_op<depot_descriptor<Record, Partitioner>>> source(const depot_descriptor<Record, Partitioner>& depot) {
  return {{dataflow::source_op<depot_descriptor<Record, Partitioner>>{depot}}};
}

/// Starts a chain at a tick depot: it emits the tick's time (epoch milliseconds).
inline flow<dataflow::source_op<tick_depot_descriptor>> source(const tick_depot_descriptor& tick) {
  return {{dataflow::source_op<tick_depot_descriptor>{tick}}};
}

/// Starts a block: a fragment of ops, checked where macro() splices it.
inline flow<> block() { return {}; }

}  // namespace sluice
