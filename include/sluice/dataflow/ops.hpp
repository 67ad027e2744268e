#pragma once
// The ops a chain is made of, as plain data. What they mean at compile time is in flow_check.hpp,
// at run time in pipeline.hpp.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>

namespace sluice::dataflow {

inline constexpr std::uint32_t unassigned = std::numeric_limits<std::uint32_t>::max();

/// The depot (or tick depot) a chain starts from; emits its record.
template <class Descriptor>
struct source_op {
  Descriptor depot;
};

/// fn(args...): args are constants or variables; emits fn's result (or each emitter<T> call).
template <class Fn, class... Args>
struct each_op {
  Fn fn;
  std::tuple<Args...> args;
};

/// Binds what the previous op emitted to Var.
template <class Var>
struct out_op {
  using var_type = Var;
};

/// Continues only where Var is true.
template <class Var>
struct keep_true_op {
  using var_type = Var;
};

/// Runs Then's ops where Cond is true, else Else's; the chain continues after either, with the
/// variables bound before the branch.
template <class Cond, class Then, class Else>
struct if_true_op {
  using condition_type = Cond;
  Then then_ops;  // std::tuple of ops
  Else else_ops;
};

/// Reads a PState of the current task; emits each value the path reaches.
template <class Schema, class Path>
struct local_select_op {
  using schema_type = Schema;
  std::string pstate;
  Path path;
  std::size_t pstate_index = 0;  // set when the chain is added to its topology
};

/// Applies a transform path to a PState of the current task.
template <class Schema, class Path>
struct local_transform_op {
  using schema_type = Schema;
  std::string pstate;
  Path path;
  std::size_t pstate_index = 0;
};

/// Moves to the task owning Var's value: stable_hash(Var) % tasks.
template <class Var>
struct hash_partition_op {
  using var_type = Var;
  std::uint32_t hop = unassigned;  // set when the chain is added to its topology
};

/// Continues on every task.
struct all_partition_op {
  std::uint32_t hop = unassigned;
};

/// Moves to the task numbered by Var.
template <class Var>
struct direct_partition_op {
  using var_type = Var;
  std::uint32_t hop = unassigned;
};

/// Runs the chain again from right after the last partitioner, with the variables bound there, in
/// a new event on the same task (after the events already queued); this event goes on. How a long
/// job works in rounds and lets other events run in between.
struct continue_later_op {};

template <class Op> inline constexpr bool is_each_op_v = false;
template <class Fn, class... A> inline constexpr bool is_each_op_v<each_op<Fn, A...>> = true;
template <class Op> inline constexpr bool is_out_op_v = false;
template <class V> inline constexpr bool is_out_op_v<out_op<V>> = true;
template <class Op> inline constexpr bool is_keep_true_op_v = false;
template <class V> inline constexpr bool is_keep_true_op_v<keep_true_op<V>> = true;
template <class Op> inline constexpr bool is_if_true_op_v = false;
template <class C, class T, class E> inline constexpr bool is_if_true_op_v<if_true_op<C, T, E>> = true;
template <class Op> inline constexpr bool is_local_select_op_v = false;
template <class S, class P> inline constexpr bool is_local_select_op_v<local_select_op<S, P>> = true;
template <class Op> inline constexpr bool is_local_transform_op_v = false;
template <class S, class P> inline constexpr bool is_local_transform_op_v<local_transform_op<S, P>> = true;
template <class Op> inline constexpr bool is_hash_partition_op_v = false;
template <class V> inline constexpr bool is_hash_partition_op_v<hash_partition_op<V>> = true;

template <class Op> inline constexpr bool is_partition_op_v = false;
template <class V> inline constexpr bool is_partition_op_v<hash_partition_op<V>> = true;
template <> inline constexpr bool is_partition_op_v<all_partition_op> = true;
template <class V> inline constexpr bool is_partition_op_v<direct_partition_op<V>> = true;

template <class Op> inline constexpr bool is_source_op_v = false;
template <class D> inline constexpr bool is_source_op_v<source_op<D>> = true;

}  // namespace sluice::dataflow
