#pragma once
// sluice::get<"field">: reads a field of a Boost.Hana-adapted struct, by name checked at compile
// time: `.each(sluice::get<"time_millis">, "*post"_v).out("*time"_v)`.

#include <sluice/dataflow/fixed_string.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/at_key.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/core/is_a.hpp>
#include <boost/hana/find.hpp>
#include <boost/hana/keys.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/members.hpp>

#include <type_traits>
#include <utility>

namespace sluice {
namespace detail {
template <fixed_string Name, std::size_t... I>
constexpr auto hana_string(std::index_sequence<I...>) {
  return boost::hana::string_c<Name.chars[I]...>;
}
}  // namespace detail

template <fixed_string Name>
struct getter {
  static constexpr auto key = detail::hana_string<Name>(std::make_index_sequence<Name.view().size()>{});

  /// Whether T is a Hana struct with a field called Name.
  template <class T>
  static constexpr bool has_field = [] {
    if constexpr (boost::hana::Struct<T>::value)
      return decltype(boost::hana::contains(boost::hana::keys(std::declval<T>()), key))::value;
    else
      return false;
  }();

  template <class T>
    requires has_field<std::remove_cvref_t<T>>
  constexpr decltype(auto) operator()(const T& record) const {
    return boost::hana::at_key(record, key);
  }
};

/// The field `Name` of a Hana-adapted struct (a function object for `each`).
template <fixed_string Name>
inline constexpr getter<Name> get{};

}  // namespace sluice
