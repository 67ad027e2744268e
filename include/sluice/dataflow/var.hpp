#pragma once
// Dataflow variables are compile-time names: "*post"_v is a value of type var<"*post">. A chain
// tracks which variables are bound, and to what type, in its own type (environment.hpp).
//
// A macro's internal variables come from gen_var: each gen_var<"*name">() call site makes a
// variable of its own type, so it never collides with a caller's "*name" (Rama's genVar).

#include <sluice/dataflow/fixed_string.hpp>

#include <type_traits>

namespace sluice {

template <fixed_string Name, class Tag = void>
struct var {
  static_assert(Name.starts_with("*"), "sluice: a dataflow variable's name starts with '*', as in \"*post\"_v");
  static constexpr fixed_string name = Name;
};

template <class T> inline constexpr bool is_var_v = false;
template <fixed_string Name, class Tag> inline constexpr bool is_var_v<var<Name, Tag>> = true;

/// A variable no other call site can name.
template <fixed_string Name, class Unique = decltype([] {})>
constexpr var<Name, Unique> gen_var() {
  return {};
}

namespace literals {
/// "*name"_v
template <fixed_string Name>
constexpr var<Name> operator""_v() {
  return {};
}
}  // namespace literals

}  // namespace sluice
