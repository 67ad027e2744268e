#pragma once
// The type-level environment of a chain: which variables are bound, in binding order, and their
// types. At run time the values travel as a std::tuple in the same order.

#include <sluice/codec/describe.hpp>
#include <sluice/dataflow/var.hpp>

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>

namespace sluice::dataflow {

template <class Var, class T>
struct binding {
  using var_type = Var;
  using value_type = T;
};

template <class... Bindings>
struct environment {
  using values = std::tuple<typename Bindings::value_type...>;

  template <class Var>
  static constexpr bool binds = (std::is_same_v<Var, typename Bindings::var_type> || ...);

  template <class Var, class T>
  using with = environment<Bindings..., binding<Var, T>>;

  static constexpr std::size_t size = sizeof...(Bindings);

  /// The position of Var's value in `values` (size if unbound).
  template <class Var>
  static constexpr std::size_t index_of = [] {
    constexpr bool matches[] = {std::is_same_v<Var, typename Bindings::var_type>..., false};
    std::size_t i = 0;
    while (i < sizeof...(Bindings) && !matches[i]) ++i;
    return i;
  }();

  template <class Var>
  using type_of = std::tuple_element_t<index_of<Var>, values>;

  /// The variables in binding order, each with how its value is encoded: "(*id:string,*n:int64)".
  static std::string describe() {
    std::string out;
    ((out += (out.empty() ? "" : ","), out += Bindings::var_type::name.view(), out += ":",
      out += codec::describe_encoding<typename Bindings::value_type>()),
     ...);
    return "(" + out + ")";
  }
};

/// The type an op argument has in environment Env: a variable's bound type, or the constant's own.
template <class Arg, class Env, bool = is_var_v<Arg>>
struct argument { using type = Arg; };
template <class Arg, class Env>
struct argument<Arg, Env, true> {
  // void for an unbound variable (the check reports it), without naming an out-of-range value.
  using type = typename decltype([] {
    if constexpr (Env::template binds<Arg>) return std::type_identity<typename Env::template type_of<Arg>>{};
    else return std::type_identity<void>{};
  }())::type;
};
template <class Arg, class Env>
using argument_t = typename argument<Arg, Env>::type;

/// Whether every variable among Args is bound in Env.
template <class Env, class... Args>
inline constexpr bool all_bound_v = ((!is_var_v<Args> || Env::template binds<Args>) && ...);

/// An argument's value: the variable's from `values`, or the constant itself.
template <class Env, class Arg>
constexpr decltype(auto) resolve(const Arg& arg, const typename Env::values& values) {
  if constexpr (is_var_v<Arg>) return std::get<Env::template index_of<Arg>>(values);
  else return (arg);
}

}  // namespace sluice::dataflow
