#pragma once
// A string usable as a template argument: how variables ("*name"_v) and declarations carry their
// names in their types.

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace sluice {

template <std::size_t N>
struct fixed_string {
  char chars[N]{};

  constexpr fixed_string(const char (&text)[N]) { std::copy_n(text, N, chars); }  // NOLINT: implicit by design

  constexpr std::string_view view() const { return {chars, N - 1}; }
  constexpr bool starts_with(std::string_view prefix) const { return view().starts_with(prefix); }

  template <std::size_t M>
  constexpr bool operator==(const fixed_string<M>& other) const {
    return view() == other.view();
  }
};

}  // namespace sluice
