#pragma once
// sluice's value codec: the compact binary form in which sluice stores values.
//
//   unsigned integers       LEB128 varint: seven bits a byte, low bits first
//   signed integers         zigzag-mapped (0, -1, 1, -2, ... -> 0, 1, 2, 3, ...), then varint
//   bool                    one byte, 0 or 1
//   char                    one byte
//   float, double           IEEE-754 bits, little-endian, 4 or 8 bytes
//   std::string             varint length, then the bytes
//   std::vector, std::set   varint count, then each element
//   std::map                varint count, then each key and its value
//   std::unordered_map      the same, entries sorted by the bytes of their encoded keys
//   std::optional           0x00; or 0x01, then the value
//   std::tuple, std::pair,  the parts in order with nothing between, so a product costs no
//   std::array and Hana     more than its parts; struct fields in declaration order. Structs
//   structs                 decode by default construction, then assignment of each field
//
// Every value has exactly one encoding and decoding accepts only that one: a varint with
// redundant bytes, a bool byte other than 0 or 1, or set and map keys that are not strictly
// increasing (duplicates included) are decode errors. So equal values have equal bytes, and
// re-encoding what was decoded gives back the input.
//
// Decoding reads only through byte_reader and checks every count against the bytes left before
// allocating for it; bad input of any kind ends in sluice::decode_error.
//
// value_codec<T> is the customization point. To make another type encodable, specialize it
// before the type is first used with the codec:
//
//   template <> struct sluice::codec::value_codec<my_type> {
//     static void encode(std::string& out, const my_type& value);  // appends to `out`
//     static my_type decode(sluice::codec::byte_reader& in);       // reads through `in` only
//     static constexpr std::size_t min_size = 1;  // optional: fewest bytes of any encoding
//   };
//
// min_size (1 when not given) bounds how many elements a count may claim for the bytes left.
// Types that can encode to zero bytes (empty structs and tuples) say 0, and cannot be
// elements of counted containers: a count of them would be unbounded by the input.

#include <algorithm>
#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/hana/accessors.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/tuple.hpp>

#include <sluice/codec/byte_reader.hpp>
#include <sluice/codec/decode_error.hpp>
#include <sluice/codec/type_name.hpp>

namespace sluice::codec {

template <class T, class Enable = void>
struct value_codec;

namespace detail {

// Whether Codec (value_codec or key_codec) can write / read T.
template <template <class, class = void> class Codec, class T>
concept has_encoder = requires(std::string& out, const T& value) { Codec<T>::encode(out, value); };

template <template <class, class = void> class Codec, class T>
concept has_decoder = requires(byte_reader& in) {
  { Codec<T>::decode(in) } -> std::same_as<T>;
};

}  // namespace detail

template <class T>
inline constexpr bool is_value_encodable_v =
    detail::has_encoder<value_codec, T> && detail::has_decoder<value_codec, T>;

template <class T>
concept value_encodable = is_value_encodable_v<T>;

namespace detail {

inline constexpr std::string_view element_count_label = " element count";
inline constexpr std::string_view presence_label = " presence byte";

inline std::string hex_byte(std::uint8_t byte) {
  constexpr std::string_view digits = "0123456789abcdef";
  return {'0', 'x', digits[byte >> 4], digits[byte & 0xF]};
}

// ---- integers ----------------------------------------------------------------------------

// bool and char are integral but have one-byte encodings of their own.
template <class T>
concept plain_integer = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char>;

template <std::unsigned_integral U>
void append_varint(std::string& out, U value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value = static_cast<U>(value >> 7);
  }
  out.push_back(static_cast<char>(value));
}

template <std::unsigned_integral U>
U read_varint(byte_reader& in, std::string_view what) {
  constexpr int width = std::numeric_limits<U>::digits;
  const auto too_wide = [what] {
    return decode_error{what, "varint does not fit in " + std::to_string(width) + " bits"};
  };
  U value = 0;
  for (int shift = 0;; shift += 7) {
    if (shift >= width) throw too_wide();
    const std::uint8_t byte = in.take_byte(what);
    const U payload = byte & 0x7F;
    if (width - shift < 7 && (payload >> (width - shift)) != 0) throw too_wide();
    // A final zero byte adds nothing: the shorter form is the one encoding of this value.
    if (shift > 0 && byte == 0) throw decode_error{what, "varint has a redundant zero byte"};
    value = static_cast<U>(value | (payload << shift));
    if ((byte & 0x80) == 0) return value;
  }
}

// Zigzag keeps small negative numbers as short as small positive ones.
template <plain_integer T>
constexpr std::make_unsigned_t<T> to_varint_bits(T value) noexcept {
  using U = std::make_unsigned_t<T>;
  if constexpr (std::is_unsigned_v<T>) {
    return value;
  } else {
    const U sign_fill = value < 0 ? static_cast<U>(~U{0}) : U{0};
    return static_cast<U>(static_cast<U>(static_cast<U>(value) << 1) ^ sign_fill);
  }
}

template <plain_integer T>
constexpr T from_varint_bits(std::make_unsigned_t<T> bits) noexcept {
  using U = std::make_unsigned_t<T>;
  if constexpr (std::is_unsigned_v<T>) {
    return bits;
  } else {
    const U sign_fill = (bits & 1U) != 0 ? static_cast<U>(~U{0}) : U{0};
    return static_cast<T>(static_cast<U>(static_cast<U>(bits >> 1) ^ sign_fill));
  }
}

// ---- fixed-width integers, in either byte order ----------------------------------------

// Bit offset of the index-th byte written.
template <std::endian Order, std::unsigned_integral U>
constexpr unsigned byte_shift(std::size_t index) noexcept {
  const std::size_t position = Order == std::endian::big ? sizeof(U) - 1 - index : index;
  return static_cast<unsigned>(position * 8);
}

template <std::endian Order, std::unsigned_integral U>
void append_fixed(std::string& out, U value) {
  for (std::size_t i = 0; i < sizeof(U); ++i) {
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(value >> byte_shift<Order, U>(i))));
  }
}

template <std::endian Order, std::unsigned_integral U>
U read_fixed(byte_reader& in, std::string_view what) {
  const std::string_view bytes = in.take(sizeof(U), what);
  U value = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i) {
    const auto byte = static_cast<U>(static_cast<std::uint8_t>(bytes[i]));
    value = static_cast<U>(value | static_cast<U>(byte << byte_shift<Order, U>(i)));
  }
  return value;
}

template <class T>
concept ieee_float = (std::same_as<T, float> || std::same_as<T, double>) &&
                     std::numeric_limits<T>::is_iec559;

template <ieee_float F>
using float_bits_t = std::conditional_t<sizeof(F) == 4, std::uint32_t, std::uint64_t>;

// ---- flags: bool, optional presence, key sequence markers ---------------------------------

inline void append_flag(std::string& out, bool flag) { out.push_back(flag ? '\x01' : '\x00'); }

inline bool read_flag(byte_reader& in, std::string_view what) {
  const std::uint8_t byte = in.take_byte(what);
  if (byte > 1) throw decode_error{what, "expected 0x00 or 0x01, found " + hex_byte(byte)};
  return byte == 1;
}

// ---- counted containers ----------------------------------------------------------------

template <class T>
inline constexpr std::size_t min_size_v = 1;

template <class T>
  requires requires {
    { value_codec<T>::min_size } -> std::convertible_to<std::size_t>;
  }
inline constexpr std::size_t min_size_v<T> = value_codec<T>::min_size;

// Elements of counted containers must take at least a byte each, so that the bytes left
// bound the count.
template <class T>
concept countable_element = value_encodable<T> && (min_size_v<T> > 0);

// Rejects, before anything is allocated, a count its elements could not fit in the bytes left.
inline std::size_t read_count(byte_reader& in, std::size_t min_element_size,
                              std::string_view what) {
  const auto count = read_varint<std::uint64_t>(in, what);
  if (count > in.remaining() / min_element_size) {
    throw decode_error{what, "claims " + quantity(count, "element") + " of at least " +
                                 quantity(min_element_size, "byte") + ", more than the " +
                                 quantity(in.remaining(), "byte") + " left can hold"};
  }
  return static_cast<std::size_t>(count);
}

template <class Element, class Range>
void append_elements(std::string& out, const Range& elements) {
  append_varint(out, elements.size());
  for (const auto& element : elements) value_codec<Element>::encode(out, element);
}

// Decodes a std::set or std::map, which the encoder wrote in the container's order: anything
// not strictly greater than the element before it is corrupt.
template <class Container, class Element>
Container decode_in_order(byte_reader& in) {
  Container container;
  const std::size_t count = read_count(in, min_size_v<Element>,
                                       join_v<type_name_v<Container>, element_count_label>);
  for (std::size_t i = 0; i < count; ++i) {
    const auto size_before = container.size();
    const auto position = container.emplace_hint(container.end(), value_codec<Element>::decode(in));
    if (container.size() == size_before || std::next(position) != container.end()) {
      throw decode_error{type_name_v<Container>, "elements are not in strictly increasing order"};
    }
  }
  return container;
}

// Decodes a T and returns it with the bytes it was decoded from.
template <class T>
std::pair<T, std::string_view> decode_with_bytes(byte_reader& in) {
  const std::string_view start = in.rest();
  T value = value_codec<T>::decode(in);
  return {std::move(value), start.substr(0, start.size() - in.remaining())};
}

// ---- product types: tuple, pair, Boost.Hana structs ---------------------------------------

template <class T>
concept hana_struct = boost::hana::Struct<T>::value;

// The field types and accessors of a Hana struct, read off the tuple hana::accessors returns.
template <class S, class Accessors = decltype(boost::hana::accessors<S>())>
struct struct_fields;

template <class S, class... Names, class... Accessors>
struct struct_fields<S, boost::hana::tuple<boost::hana::pair<Names, Accessors>...>> {
  using types = std::tuple<std::remove_cvref_t<std::invoke_result_t<Accessors, S&>>...>;

  template <class Object, class Visit>
  static void for_each(Object& object, Visit& visit) {
    (visit(Accessors{}(object)), ...);
  }
};

// product_parts<T>::type is a std::tuple of T's part types, for T a product type.
template <class T>
struct product_parts {};

template <class... Ts>
struct product_parts<std::tuple<Ts...>> {
  using type = std::tuple<Ts...>;
};

template <class A, class B>
struct product_parts<std::pair<A, B>> {
  using type = std::tuple<A, B>;
};

template <hana_struct S>
struct product_parts<S> {
  using type = typename struct_fields<S>::types;
};

template <class T>
concept product = requires { typename product_parts<T>::type; };

template <product T>
using parts_t = typename product_parts<T>::type;

template <template <class, class = void> class Codec, class Parts>
inline constexpr bool all_encodable_v = false;

template <template <class, class = void> class Codec, class... Parts>
inline constexpr bool all_encodable_v<Codec, std::tuple<Parts...>> =
    (has_encoder<Codec, Parts> && ...);

template <template <class, class = void> class Codec, class Parts>
inline constexpr bool all_decodable_v = false;

template <template <class, class = void> class Codec, class... Parts>
inline constexpr bool all_decodable_v<Codec, std::tuple<Parts...>> =
    (has_decoder<Codec, Parts> && ...);

template <class Parts>
inline constexpr std::size_t total_min_size_v = 0;

template <class... Parts>
inline constexpr std::size_t total_min_size_v<std::tuple<Parts...>> = (min_size_v<Parts> + ... + 0);

// Calls visit(part) on each part of a product value in order, const if `value` is.
template <class T, class Visit>
void for_each_part(T& value, Visit visit) {
  if constexpr (hana_struct<std::remove_const_t<T>>) {
    struct_fields<std::remove_const_t<T>>::for_each(value, visit);
  } else {
    std::apply([&visit](auto&... parts) { (visit(parts), ...); }, value);
  }
}

// Products encode as their parts back to back, in the value and the key codec alike.
template <template <class, class = void> class Codec, product T>
struct product_codec {
  static void encode(std::string& out, const T& value) {
    for_each_part(value, [&out]<class Part>(const Part& part) { Codec<Part>::encode(out, part); });
  }

  static T decode(byte_reader& in)
    requires std::default_initializable<T> && all_decodable_v<Codec, parts_t<T>>
  {
    T value{};
    for_each_part(value, [&in]<class Part>(Part& part) { part = Codec<Part>::decode(in); });
    return value;
  }
};

// std::array: its elements back to back, like a product of N parts.
template <template <class, class = void> class Codec, class T, std::size_t N>
struct array_codec {
  static void encode(std::string& out, const std::array<T, N>& values) {
    for (const T& value : values) Codec<T>::encode(out, value);
  }

  static std::array<T, N> decode(byte_reader& in)
    requires std::default_initializable<T> && has_decoder<Codec, T>
  {
    std::array<T, N> values{};
    for (T& value : values) value = Codec<T>::decode(in);
    return values;
  }
};

// std::optional: a presence flag, then the value if there is one.
template <template <class, class = void> class Codec, class T>
struct optional_codec {
  static void encode(std::string& out, const std::optional<T>& value) {
    append_flag(out, value.has_value());
    if (value) Codec<T>::encode(out, *value);
  }

  static std::optional<T> decode(byte_reader& in)
    requires has_decoder<Codec, T>
  {
    if (!read_flag(in, join_v<type_name_v<std::optional<T>>, presence_label>)) return std::nullopt;
    return Codec<T>::decode(in);
  }
};

}  // namespace detail

// ---- the codecs ----------------------------------------------------------------------------

template <detail::plain_integer T>
struct value_codec<T> {
  static constexpr std::size_t min_size = 1;

  static void encode(std::string& out, T value) {
    detail::append_varint(out, detail::to_varint_bits(value));
  }

  static T decode(byte_reader& in) {
    return detail::from_varint_bits<T>(
        detail::read_varint<std::make_unsigned_t<T>>(in, type_name_v<T>));
  }
};

template <>
struct value_codec<bool> {
  static constexpr std::size_t min_size = 1;
  static void encode(std::string& out, bool value) { detail::append_flag(out, value); }
  static bool decode(byte_reader& in) { return detail::read_flag(in, "bool"); }
};

template <>
struct value_codec<char> {
  static constexpr std::size_t min_size = 1;
  static void encode(std::string& out, char value) { out.push_back(value); }
  static char decode(byte_reader& in) { return in.take(1, "char").front(); }
};

template <detail::ieee_float F>
struct value_codec<F> {
  static constexpr std::size_t min_size = sizeof(F);

  static void encode(std::string& out, F value) {
    detail::append_fixed<std::endian::little>(out, std::bit_cast<detail::float_bits_t<F>>(value));
  }

  static F decode(byte_reader& in) {
    return std::bit_cast<F>(
        detail::read_fixed<std::endian::little, detail::float_bits_t<F>>(in, type_name_v<F>));
  }
};

template <>
struct value_codec<std::string> {
  static constexpr std::size_t min_size = 1;

  static void encode(std::string& out, const std::string& value) {
    detail::append_varint(out, value.size());
    out.append(value);
  }

  static std::string decode(byte_reader& in) {
    constexpr std::string_view what = "std::string length";
    return std::string{in.take(detail::read_varint<std::size_t>(in, what), what)};
  }
};

template <detail::countable_element T, class Allocator>
struct value_codec<std::vector<T, Allocator>> {
  using vector_type = std::vector<T, Allocator>;
  static constexpr std::size_t min_size = 1;

  static void encode(std::string& out, const vector_type& values) {
    detail::append_elements<T>(out, values);
  }

  static vector_type decode(byte_reader& in) {
    constexpr std::string_view what = detail::join_v<type_name_v<vector_type>,
                                                     detail::element_count_label>;
    const std::size_t count = detail::read_count(in, detail::min_size_v<T>, what);
    vector_type values;
    values.reserve(count);
    for (std::size_t i = 0; i < count; ++i) values.push_back(value_codec<T>::decode(in));
    return values;
  }
};

template <detail::countable_element T, class Compare, class Allocator>
struct value_codec<std::set<T, Compare, Allocator>> {
  using set_type = std::set<T, Compare, Allocator>;
  static constexpr std::size_t min_size = 1;

  static void encode(std::string& out, const set_type& values) {
    detail::append_elements<T>(out, values);
  }

  static set_type decode(byte_reader& in) {
    return detail::decode_in_order<set_type, T>(in);
  }
};

// Entries encode as std::pair<K, V> does: key, then value.
template <class K, class V, class Compare, class Allocator>
  requires detail::countable_element<std::pair<K, V>>
struct value_codec<std::map<K, V, Compare, Allocator>> {
  using map_type = std::map<K, V, Compare, Allocator>;
  static constexpr std::size_t min_size = 1;

  static void encode(std::string& out, const map_type& map) {
    detail::append_varint(out, map.size());
    for (const auto& [key, value] : map) {
      value_codec<K>::encode(out, key);
      value_codec<V>::encode(out, value);
    }
  }

  static map_type decode(byte_reader& in) {
    return detail::decode_in_order<map_type, std::pair<K, V>>(in);
  }
};

// Iteration order of an unordered_map depends on its history, so entries are written sorted
// by the bytes of their encoded keys: equal maps get equal bytes.
template <class K, class V, class Hash, class Equal, class Allocator>
  requires detail::countable_element<std::pair<K, V>>
struct value_codec<std::unordered_map<K, V, Hash, Equal, Allocator>> {
  using map_type = std::unordered_map<K, V, Hash, Equal, Allocator>;
  static constexpr std::size_t min_size = 1;

  static void encode(std::string& out, const map_type& map) {
    detail::append_varint(out, map.size());
    for (const auto& [key_bytes, value] : entries_by_key_bytes(map)) {
      out.append(key_bytes);
      value_codec<V>::encode(out, *value);
    }
  }

  static map_type decode(byte_reader& in) {
    constexpr std::string_view what = type_name_v<map_type>;
    const std::size_t count =
        detail::read_count(in, detail::min_size_v<std::pair<K, V>>,
                           detail::join_v<type_name_v<map_type>, detail::element_count_label>);
    map_type map;
    map.reserve(count);
    std::string_view previous_key;
    for (std::size_t i = 0; i < count; ++i) {
      auto [key, key_bytes] = detail::decode_with_bytes<K>(in);
      if (i > 0 && key_bytes <= previous_key) {
        throw decode_error{what, "keys are not in strictly increasing order of their encodings"};
      }
      previous_key = key_bytes;
      if (!map.try_emplace(std::move(key), value_codec<V>::decode(in)).second) {
        throw decode_error{what, "a key appears twice"};
      }
    }
    return map;
  }

 private:
  static std::vector<std::pair<std::string, const V*>> entries_by_key_bytes(const map_type& map) {
    std::vector<std::pair<std::string, const V*>> entries;
    entries.reserve(map.size());
    for (const auto& [key, value] : map) {
      std::string key_bytes;
      value_codec<K>::encode(key_bytes, key);
      entries.emplace_back(std::move(key_bytes), &value);
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return entries;
  }
};

template <value_encodable T>
struct value_codec<std::optional<T>> : detail::optional_codec<value_codec, T> {
  static constexpr std::size_t min_size = 1;
};

template <value_encodable T, std::size_t N>
struct value_codec<std::array<T, N>> : detail::array_codec<value_codec, T, N> {
  static constexpr std::size_t min_size = N * detail::min_size_v<T>;
};

template <detail::product T>
  requires detail::all_encodable_v<value_codec, detail::parts_t<T>>
struct value_codec<T> : detail::product_codec<value_codec, T> {
  static constexpr std::size_t min_size = detail::total_min_size_v<detail::parts_t<T>>;
};

// ---- entry points --------------------------------------------------------------------------

namespace detail {

// Stands in for the codec of a type that has none once the static_assert has said so, so that
// its one message is all the compiler reports.
template <class T>
struct missing_codec {
  static void encode(std::string&, const T&) {}
  static T decode(byte_reader&);
};

template <class T>
struct checked_value_codec {
  // READ THIS IF YOUR COMPILE BREAKS HERE: the type T named in the instantiation note below
  // has no value encoding. Use one of the supported types, adapt your struct with
  // BOOST_HANA_DEFINE_STRUCT or BOOST_HANA_ADAPT_STRUCT, or specialize value_codec for it.
  static_assert(is_value_encodable_v<T>,
                "sluice: this type cannot be encoded: supported are integers, bool, char, float, "
                "double, std::string, std::vector, std::map, std::unordered_map, std::set, "
                "std::optional, std::tuple, std::pair, std::array and Boost.Hana structs, made "
                "of supported types (container elements must not encode to zero bytes), and "
                "types with a sluice::codec::value_codec specialization");
  using type = std::conditional_t<is_value_encodable_v<T>, value_codec<T>, missing_codec<T>>;
};

// Decodes a whole buffer with `decode_from`: one T, and nothing after it.
template <class T, class DecodeFrom>
T decode_exactly(std::string_view bytes, DecodeFrom decode_from) {
  byte_reader in{bytes};
  T value = decode_from(in);
  in.expect_end(type_name_v<T>);
  return value;
}

}  // namespace detail

// Appends the encoding of `value` to `out`.
template <class T>
void encode_value_to(std::string& out, const T& value) {
  detail::checked_value_codec<T>::type::encode(out, value);
}

template <class T>
std::string encode_value(const T& value) {
  std::string out;
  encode_value_to(out, value);
  return out;
}

// Decodes one T from `in`, leaving `in` just past it.
template <class T>
T decode_value_from(byte_reader& in) {
  return detail::checked_value_codec<T>::type::decode(in);
}

// Decodes `bytes`, which must hold exactly one encoded T.
template <class T>
T decode_value(std::string_view bytes) {
  return detail::decode_exactly<T>(bytes, decode_value_from<T>);
}

}  // namespace sluice::codec
