#pragma once
// Compile-time checking of a chain. Ops are folded left to right over a state: the environment
// (bound variables and their types) and what the last op emitted, not yet bound. The first misuse
// stops the fold; assert_flow_fits turns it into exactly one static_assert, at the builder call in
// the user's code (the "required from here" line).
//
// READ THIS IF YOUR COMPILE BREAKS HERE: the static_assert that fired names the misuse; follow the
// "required from" notes up to the line of your chain that made it.

#include <sluice/codec/key_codec.hpp>
#include <sluice/codec/value_codec.hpp>
#include <sluice/dataflow/emitter.hpp>
#include <sluice/dataflow/environment.hpp>
#include <sluice/dataflow/get.hpp>
#include <sluice/dataflow/ops.hpp>
#include <sluice/pstate/path.hpp>
#include <sluice/pstate/path_check.hpp>

#include <concepts>
#include <tuple>
#include <type_traits>

namespace sluice::dataflow {

/// What an op emits when nothing is emitted.
struct nothing {};

/// Where an op stands: inside an if_true branch or not, and after a partitioner or not (which
/// continue_later() resumes from).
template <bool InBranch, bool Resumable>
struct where {
  static constexpr bool in_branch = InBranch;
  static constexpr bool resumable = Resumable;
};
using chain_start = where<false, false>;

template <class Env, class Pending = nothing>
struct state {
  using env = Env;
  using pending = Pending;
};

enum class flow_error {
  none,
  source_not_first,
  unbound_variable,
  rebinding_variable,
  unknown_field,
  each_not_invocable,
  out_without_value,
  condition_not_bool,
  path_misfit,
  hash_key_not_encodable,
  direct_target_not_integer,
  not_encodable_across_hop,
  partition_in_branch,
  continue_later_without_partition,
};

// ---- paths with variables ----------------------------------------------------------------------

/// Marks a variable argument that is not bound (so the path cannot be checked further).
struct unbound_argument {};

template <class Env>
struct argument_types {
  template <class A>
  auto operator()(const A&) const -> std::conditional_t<is_var_v<A> && !Env::template binds<A>, unbound_argument,
                                                        std::conditional_t<is_var_v<A>, argument_t<A, Env>, A>>;
};

/// The path as it runs in environment Env: each variable replaced by its value's type.
template <class Path, class Env>
using resolved_path_t = decltype(std::declval<const Path&>().map_args(argument_types<Env>{}));

template <class T> inline constexpr bool mentions_unbound_v = std::is_same_v<T, unbound_argument>;
template <template <class...> class Nav, class... A>
inline constexpr bool mentions_unbound_v<Nav<A...>> = (mentions_unbound_v<A> || ...);

template <class Path, class Env>
inline constexpr bool path_bound_v = !mentions_unbound_v<resolved_path_t<Path, Env>>;

// ---- one op --------------------------------------------------------------------------------------

/// Whether every value bound in Env can be encoded to cross to another task.
template <class Env> inline constexpr bool encodable_env_v = false;
template <class... B>
inline constexpr bool encodable_env_v<environment<B...>> = (codec::is_value_encodable_v<typename B::value_type> && ...);

/// What op Op does to State: `error` (none, or the misuse) and the `next` state.
template <class Op, class State, class Where> struct op_step;

template <class D, class State, class Where>
struct op_step<source_op<D>, State, Where> {
  static constexpr flow_error error = flow_error::source_not_first;
  using next = State;
};

template <class Fn, class Env, class... Args>
struct each_result {
  using emitted = emitted_type_t<Fn>;
  static constexpr bool invocable = [] {
    if constexpr (std::is_void_v<emitted>) return std::is_invocable_v<const Fn&, const argument_t<Args, Env>&...>;
    else return std::is_invocable_v<const Fn&, emitter<emitted>&, const argument_t<Args, Env>&...>;
  }();
  using type = typename decltype([] {
    if constexpr (!invocable) return std::type_identity<nothing>{};
    else if constexpr (!std::is_void_v<emitted>) return std::type_identity<emitted>{};
    else {
      using r = std::invoke_result_t<const Fn&, const argument_t<Args, Env>&...>;
      if constexpr (std::is_void_v<r>) return std::type_identity<nothing>{};
      else return std::type_identity<std::decay_t<r>>{};
    }
  }())::type;
};

template <class Fn, class Env, class... Args>
inline constexpr bool unknown_field_v = false;
template <fixed_string Name, class Env, class Arg>
inline constexpr bool unknown_field_v<getter<Name>, Env, Arg> = !getter<Name>::template has_field<argument_t<Arg, Env>>;

/// Stands in for each_result when an argument is unbound, so nothing is asked of a void type.
struct unbound_each_result {
  static constexpr bool invocable = false;
  using type = nothing;
};

template <class Fn, class... Args, class Env, class P, class Where>
struct op_step<each_op<Fn, Args...>, state<Env, P>, Where> {
  using result = std::conditional_t<all_bound_v<Env, Args...>, each_result<Fn, Env, Args...>, unbound_each_result>;
  static constexpr flow_error error = !all_bound_v<Env, Args...>          ? flow_error::unbound_variable
                                      : unknown_field_v<Fn, Env, Args...> ? flow_error::unknown_field
                                      : !result::invocable                ? flow_error::each_not_invocable
                                                                          : flow_error::none;
  using next = state<Env, typename result::type>;
};

template <class Var, class Env, class P, class Where>
struct op_step<out_op<Var>, state<Env, P>, Where> {
  static constexpr flow_error error = std::is_same_v<P, nothing>     ? flow_error::out_without_value
                                      : Env::template binds<Var> ? flow_error::rebinding_variable
                                                                 : flow_error::none;
  using next = state<typename Env::template with<Var, P>, nothing>;
};

template <class Var, class Env>
inline constexpr flow_error condition_error_v = !Env::template binds<Var> ? flow_error::unbound_variable
                                                : !std::is_convertible_v<argument_t<Var, Env>, bool>
                                                    ? flow_error::condition_not_bool
                                                    : flow_error::none;

template <class Var, class Env, class P, class Where>
struct op_step<keep_true_op<Var>, state<Env, P>, Where> {
  static constexpr flow_error error = condition_error_v<Var, Env>;
  using next = state<Env, nothing>;
};

template <class Schema, class Path, class Env, pstate_detail::path_mode M>
inline constexpr flow_error path_error_v = !path_bound_v<Path, Env> ? flow_error::unbound_variable
                                           : pstate_detail::path_error_v<M, Schema, resolved_path_t<Path, Env>> !=
                                                   pstate_detail::path_error::none
                                               ? flow_error::path_misfit
                                               : flow_error::none;

template <class Schema, class Path, class Env, class P, class Where>
struct op_step<local_select_op<Schema, Path>, state<Env, P>, Where> {
  static constexpr flow_error error = path_error_v<Schema, Path, Env, pstate_detail::path_mode::select>;
  using next = state<Env, typename decltype([] {
                     if constexpr (error != flow_error::none) return std::type_identity<nothing>{};
                     else return std::type_identity<pstate_detail::select_result_t<Schema, resolved_path_t<Path, Env>>>{};
                   }())::type>;
};

template <class Schema, class Path, class Env, class P, class Where>
struct op_step<local_transform_op<Schema, Path>, state<Env, P>, Where> {
  static constexpr flow_error error = path_error_v<Schema, Path, Env, pstate_detail::path_mode::transform>;
  using next = state<Env, nothing>;
};

template <class Env, class Where>
inline constexpr flow_error hop_error_v = Where::in_branch          ? flow_error::partition_in_branch
                                          : !encodable_env_v<Env> ? flow_error::not_encodable_across_hop
                                                                  : flow_error::none;

template <class Var, class Env, class P, class Where>
struct op_step<hash_partition_op<Var>, state<Env, P>, Where> {
  static constexpr flow_error error = !Env::template binds<Var> ? flow_error::unbound_variable
                                      : !codec::is_key_encodable_v<argument_t<Var, Env>>
                                          ? flow_error::hash_key_not_encodable
                                          : hop_error_v<Env, Where>;
  using next = state<Env, nothing>;
};

template <class Env, class P, class Where>
struct op_step<all_partition_op, state<Env, P>, Where> {
  static constexpr flow_error error = hop_error_v<Env, Where>;
  using next = state<Env, nothing>;
};

template <class Var, class Env, class P, class Where>
struct op_step<direct_partition_op<Var>, state<Env, P>, Where> {
  static constexpr flow_error error = !Env::template binds<Var> ? flow_error::unbound_variable
                                      : !std::is_integral_v<argument_t<Var, Env>>
                                          ? flow_error::direct_target_not_integer
                                          : hop_error_v<Env, Where>;
  using next = state<Env, nothing>;
};

template <class Env, class P, class Where>
struct op_step<continue_later_op, state<Env, P>, Where> {
  static constexpr flow_error error = Where::resumable ? flow_error::none : flow_error::continue_later_without_partition;
  using next = state<Env, nothing>;
};

// ---- a sequence of ops -------------------------------------------------------------------------

/// The first misuse in Ops run from State: error, the op and the state it met; and the final state.
template <class State, class Where, class... Ops> struct walk_ops;

template <class State, class Where>
struct walk_ops<State, Where> {
  static constexpr flow_error error = flow_error::none;
  using failing_op = void;
  using failing_state = State;
  using final_state = State;
};

template <class State, class Where, class Op, class... Rest>
struct walk_ops<State, Where, Op, Rest...> {
  using here = op_step<Op, State, Where>;
  using after = where<Where::in_branch, Where::resumable || is_partition_op_v<Op>>;
  using rest = std::conditional_t<here::error == flow_error::none, walk_ops<typename here::next, after, Rest...>,
                                  walk_ops<State, Where>>;
  static constexpr flow_error error = here::error != flow_error::none ? here::error : rest::error;
  using failing_op = std::conditional_t<here::error != flow_error::none, Op, typename rest::failing_op>;
  using failing_state = std::conditional_t<here::error != flow_error::none, State, typename rest::failing_state>;
  using final_state = typename rest::final_state;
};

template <class State, class Where, class Tuple> struct walk_tuple;
template <class State, class Where, class... Ops>
struct walk_tuple<State, Where, std::tuple<Ops...>> : walk_ops<State, Where, Ops...> {};

template <class Cond, class Then, class Else, class Env, class P, class Where>
struct op_step<if_true_op<Cond, Then, Else>, state<Env, P>, Where> {
  using then_walk = walk_tuple<state<Env, nothing>, where<true, Where::resumable>, Then>;
  using else_walk = walk_tuple<state<Env, nothing>, where<true, Where::resumable>, Else>;
  static constexpr flow_error error = condition_error_v<Cond, Env> != flow_error::none ? condition_error_v<Cond, Env>
                                      : then_walk::error != flow_error::none        ? then_walk::error
                                                                                    : else_walk::error;
  using failing_op = std::conditional_t<then_walk::error != flow_error::none, typename then_walk::failing_op,
                                        typename else_walk::failing_op>;
  using failing_state = std::conditional_t<then_walk::error != flow_error::none, typename then_walk::failing_state,
                                           typename else_walk::failing_state>;
  using next = state<Env, nothing>;
};

/// A chain rooted at a source: the source emits its record into an empty environment.
template <class... Ops> struct walk_chain;
template <class D, class... Ops>
struct walk_chain<source_op<D>, Ops...> : walk_ops<state<environment<>, typename D::record_type>, chain_start, Ops...> {};

/// The state just before op I of a chain rooted at a source (I >= 1).
template <std::size_t I, class Chain> struct state_before;
template <std::size_t I, class D, class... Ops>
struct state_before<I, std::tuple<source_op<D>, Ops...>> {
  template <std::size_t... J>
  static auto prefix(std::index_sequence<J...>)
      -> walk_ops<state<environment<>, typename D::record_type>, chain_start, std::tuple_element_t<J, std::tuple<Ops...>>...>;
  using type = typename decltype(prefix(std::make_index_sequence<I - 1>{}))::final_state;
};

// ---- the one message ----------------------------------------------------------------------------

template <class Op, class State> struct path_of_failure {
  static constexpr bool fire() { return true; }
};
template <class Schema, class Path, class Env, class P>
struct path_of_failure<local_select_op<Schema, Path>, state<Env, P>> {
  static constexpr bool fire() {
    return pstate_detail::assert_path_fits<pstate_detail::path_mode::select, Schema, resolved_path_t<Path, Env>>();
  }
};
template <class Schema, class Path, class Env, class P>
struct path_of_failure<local_transform_op<Schema, Path>, state<Env, P>> {
  static constexpr bool fire() {
    return pstate_detail::assert_path_fits<pstate_detail::path_mode::transform, Schema, resolved_path_t<Path, Env>>();
  }
};

/// The failing op of a walk, looking inside if_true branches.
template <class Walk, class Op = typename Walk::failing_op>
struct innermost_failure {
  using op = Op;
  using state_type = typename Walk::failing_state;
};
template <class Walk, class Cond, class Then, class Else>
struct innermost_failure<Walk, if_true_op<Cond, Then, Else>> {
  using step = op_step<if_true_op<Cond, Then, Else>, typename Walk::failing_state, where<false, true>>;
  using op = typename step::failing_op;
  using state_type = typename step::failing_state;
};

template <class Walk>
constexpr bool assert_walk_fits() {
  constexpr flow_error e = Walk::error;
  static_assert(e != flow_error::source_not_first, "sluice dataflow: source() starts a chain; a block spliced with macro() cannot contain one");
  static_assert(e != flow_error::unbound_variable, "sluice dataflow: a variable is used before any op binds it; bind it first with .out(\"*name\"_v)");
  static_assert(e != flow_error::rebinding_variable, "sluice dataflow: .out() binds a variable that is already bound; choose a new name");
  static_assert(e != flow_error::unknown_field, "sluice dataflow: sluice::get<\"field\">: the struct has no field of that name");
  static_assert(e != flow_error::each_not_invocable, "sluice dataflow: each(fn, args...) cannot call fn with arguments of these types (wrong number or types)");
  static_assert(e != flow_error::out_without_value, "sluice dataflow: .out() follows an op that emits nothing to bind");
  static_assert(e != flow_error::condition_not_bool, "sluice dataflow: keep_true()/if_true() need a variable convertible to bool");
  static_assert(e != flow_error::hash_key_not_encodable, "sluice dataflow: hash_partition() needs a key-encodable variable");
  static_assert(e != flow_error::direct_target_not_integer, "sluice dataflow: direct_partition() needs an integer task number");
  static_assert(e != flow_error::not_encodable_across_hop, "sluice dataflow: a variable bound before this partitioner cannot be encoded, so it cannot move to another task");
  static_assert(e != flow_error::continue_later_without_partition, "sluice dataflow: continue_later() resumes right after the last partitioner, and there is none before it");
  static_assert(e != flow_error::partition_in_branch, "sluice dataflow: partitioners cannot stand inside if_true() branches; partition before the branch");
  if constexpr (e == flow_error::path_misfit) {
    using failure = innermost_failure<Walk>;
    return path_of_failure<typename failure::op, typename failure::state_type>::fire();
  }
  return e == flow_error::none;
}

template <class... Ops>
constexpr bool assert_chain_fits() {
  return assert_walk_fits<walk_chain<Ops...>>();
}

}  // namespace sluice::dataflow
