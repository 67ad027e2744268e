#pragma once
// Running a checked chain: a chain compiles to nested continuations, one per op, all statically
// typed and inlined into one function per source (and one per partitioner hop). Type erasure
// happens once, where the runtime calls a handler (plan.hpp).
//
// run<I, State>(ops, ctx, values, pending, done, resume) executes op I with the environment's
// values and what the previous op emitted; `done` receives the values at the end of a block (how
// a branch returns to its chain); `resume` is where continue_later() sends the event.

#include <sluice/codec/key_codec.hpp>
#include <sluice/codec/stable_hash.hpp>
#include <sluice/codec/value_codec.hpp>
#include <sluice/dataflow/current_time.hpp>
#include <sluice/dataflow/emitter.hpp>
#include <sluice/dataflow/environment.hpp>
#include <sluice/dataflow/flow_check.hpp>
#include <sluice/dataflow/ops.hpp>
#include <sluice/dataflow/plan.hpp>
#include <sluice/pstate/partition.hpp>

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace sluice::dataflow {

/// The path with each variable replaced by its value in `values`.
template <class Env, class Path>
auto resolve_path(const Path& path, const typename Env::values& values) {
  return path.map_args([&](const auto& arg) -> decltype(auto) { return resolve<Env>(arg, values); });
}

/// The first `Count` values of a tuple: the environment as it was before a branch bound more.
template <std::size_t Count, class Tuple>
auto leading_values(Tuple&& values) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return std::tuple<std::tuple_element_t<I, std::remove_cvref_t<Tuple>>...>{std::get<I>(std::forward<Tuple>(values))...};
  }(std::make_index_sequence<Count>{});
}

/// Before any partitioner there is nowhere to resume (the check rejects continue_later there).
struct no_resume {
  template <class Values>
  void operator()(event_context&, const Values&) const {}
};

/// Resumes right after the partitioner whose hop is `hop` and whose environment is Env.
template <class Env>
struct resume_after {
  std::uint32_t hop;

  template <class Values>
  void operator()(event_context& ctx, const Values& values) const {
    ctx.hops.send(ctx.task, hop, codec::encode_value(leading_values<Env::size>(values)));
  }
};

template <std::size_t I, class State, class Ops, class Done, class Resume>
void run(const Ops& ops, event_context& ctx, typename State::env::values values, typename State::pending pending,
         Done& done, const Resume& resume);

/// Continues after op I with the next state.
template <std::size_t I, class Next, class Ops, class Done, class Resume>
void proceed(const Ops& ops, event_context& ctx, typename Next::env::values values, typename Next::pending pending,
             Done& done, const Resume& resume) {
  run<I + 1, Next>(ops, ctx, std::move(values), std::move(pending), done, resume);
}

/// The payload of a hop: the environment's values, encoded.
template <class Env>
std::string encode_hop(const typename Env::values& values) {
  return codec::encode_value(values);
}

template <std::size_t I, class State, class Next, class Ops, class Fn, class... Args, class Done, class Resume>
void run_each(const Ops& ops, const each_op<Fn, Args...>& op, event_context& ctx, typename State::env::values values,
              Done& done, const Resume& resume) {
  using Env = typename State::env;
  auto call = [&](auto&&... prefix) -> decltype(auto) {
    return std::apply([&](const auto&... args) -> decltype(auto) {
      return std::invoke(op.fn, prefix..., resolve<Env>(args, values)...);
    }, op.args);
  };
  using emitted = emitted_type_t<Fn>;
  if constexpr (std::is_same_v<Fn, current_time_millis_t>) {
    proceed<I, Next>(ops, ctx, std::move(values), ctx.now_millis, done, resume);
  } else if constexpr (!std::is_void_v<emitted>) {
    auto continuation = [&](emitted&& value) { proceed<I, Next>(ops, ctx, values, std::move(value), done, resume); };
    emitter<emitted> emit{continuation};
    call(emit);
  } else if constexpr (std::is_same_v<typename Next::pending, nothing>) {
    call();
    proceed<I, Next>(ops, ctx, std::move(values), {}, done, resume);
  } else {
    typename Next::pending result = call();
    proceed<I, Next>(ops, ctx, std::move(values), std::move(result), done, resume);
  }
}

template <std::size_t I, class Env, class Next, class Ops, class Op, class Done>
void run_partition(const Ops& ops, const Op& op, event_context& ctx, typename Env::values values, Done& done) {
  const resume_after<Env> resume{op.hop};
  if constexpr (std::is_same_v<Op, all_partition_op>) {
    if (ctx.task_count > 1) {
      const std::string payload = encode_hop<Env>(values);
      for (std::uint32_t target = 0; target < ctx.task_count; ++target)
        if (target != ctx.task) ctx.hops.send(target, op.hop, payload);
    }
    proceed<I, Next>(ops, ctx, std::move(values), {}, done, resume);
  } else {
    const auto& key = resolve<Env>(typename Op::var_type{}, values);
    std::uint32_t target;
    if constexpr (is_hash_partition_op_v<Op>) {
      target = static_cast<std::uint32_t>(codec::key_hash(key) % ctx.task_count);
    } else {
      if (std::cmp_less(key, 0) || std::cmp_greater_equal(key, ctx.task_count))
        throw std::out_of_range("sluice: direct_partition() to task " + std::to_string(key) + " of " +
                                std::to_string(ctx.task_count));
      target = static_cast<std::uint32_t>(key);
    }
    // Staying on this task needs no hop: the rest runs in the same transaction.
    if (target == ctx.task) return proceed<I, Next>(ops, ctx, std::move(values), {}, done, resume);
    ctx.hops.send(target, op.hop, encode_hop<Env>(values));
  }
}

template <std::size_t I, class State, class Ops, class Done, class Resume>
void run(const Ops& ops, event_context& ctx, typename State::env::values values, typename State::pending pending,
         Done& done, const Resume& resume) {
  using Env = typename State::env;
  if constexpr (I == std::tuple_size_v<Ops>) {
    done(std::move(values));
  } else {
    using Op = std::tuple_element_t<I, Ops>;
    using Next = typename op_step<Op, State, chain_start>::next;
    const Op& op = std::get<I>(ops);

    if constexpr (is_each_op_v<Op>) {
      run_each<I, State, Next>(ops, op, ctx, std::move(values), done, resume);
    } else if constexpr (is_out_op_v<Op>) {
      auto bound = std::tuple_cat(std::move(values), std::tuple<typename State::pending>{std::move(pending)});
      proceed<I, Next>(ops, ctx, std::move(bound), {}, done, resume);
    } else if constexpr (is_keep_true_op_v<Op>) {
      if (resolve<Env>(typename Op::var_type{}, values)) proceed<I, Next>(ops, ctx, std::move(values), {}, done, resume);
    } else if constexpr (is_if_true_op_v<Op>) {
      auto rejoin = [&](auto&& branch_values) {
        proceed<I, Next>(ops, ctx, leading_values<Env::size>(std::move(branch_values)), {}, done, resume);
      };
      if (resolve<Env>(typename Op::condition_type{}, values))
        run<0, state<Env, nothing>>(op.then_ops, ctx, std::move(values), {}, rejoin, resume);
      else
        run<0, state<Env, nothing>>(op.else_ops, ctx, std::move(values), {}, rejoin, resume);
    } else if constexpr (is_local_select_op_v<Op>) {
      const pstate_partition<typename Op::schema_type> partition{ctx.pstates[op.pstate_index]};
      partition.for_each(ctx.txn, resolve_path<Env>(op.path, values), [&](const auto& found) {
        proceed<I, Next>(ops, ctx, values, typename Next::pending(found), done, resume);
      });
    } else if constexpr (is_local_transform_op_v<Op>) {
      const pstate_partition<typename Op::schema_type> partition{ctx.pstates[op.pstate_index]};
      partition.transform(ctx.txn, resolve_path<Env>(op.path, values));
      proceed<I, Next>(ops, ctx, std::move(values), {}, done, resume);
    } else if constexpr (std::is_same_v<Op, continue_later_op>) {
      resume(ctx, values);
      proceed<I, Next>(ops, ctx, std::move(values), {}, done, resume);
    } else if constexpr (is_partition_op_v<Op>) {
      run_partition<I, Env, Next>(ops, op, ctx, std::move(values), done);
    }
  }
}

}  // namespace sluice::dataflow
