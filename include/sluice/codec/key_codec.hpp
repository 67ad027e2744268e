#pragma once
// sluice's key codec: an order-preserving, prefix-free encoding of keys.
//
// Order-preserving: for keys a and b of one type, comparing encode_key(a) with encode_key(b)
// bytewise (memcmp, the shorter first on a tie) orders them as a and b are ordered, so LMDB's
// default comparison keeps an index sorted by key. Prefix-free: no key's encoding is a prefix of
// another key's of the same type, so encodings concatenate into composite keys that still
// order component by component.
//
//   unsigned integers   fixed width, big-endian
//   signed integers     sign bit flipped, then as unsigned: negatives first, the minimum lowest
//   bool, char          one byte, as in the value codec; char orders as unsigned char, the
//                       way std::string orders its characters
//   float, double       IEEE-754 bits, big-endian; negatives with every bit flipped, positives
//                       with the sign bit flipped. -0.0 is written as +0.0, and every NaN as one
//                       NaN that sorts after +infinity
//   std::string         each 0x00 byte as 0x00 0xFF, then 0x00 0x01 to end the string.
//                       std::string_view, const char* and char arrays (up to their first NUL)
//                       encode identically, so lookups need not build a std::string; they
//                       can be encoded but not decoded
//   std::tuple, std::pair, std::array, Boost.Hana structs   the parts in order
//   std::optional       0x00 when empty, so it sorts first; else 0x01, then the value
//   std::vector         0x01 before each element, then 0x00: lexicographic order
//
// Decoding is strict: a string escape other than 0x00 0xFF or 0x00 0x01, a marker other than
// 0x00 or 0x01, -0.0, any NaN but the one written, and truncated input are decode errors. Every
// key thus has one encoding, and equal keys have equal bytes, which stable_hash relies on.
//
// key_codec<T> is the customization point, specialized as value_codec is (with encode and,
// optionally, decode; no min_size). A specialization must keep both properties above.
//
// The key codec shares the value codec's machinery for products, optionals, flags and
// fixed-width integers, and its one-byte encodings of bool and char.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <sluice/codec/byte_reader.hpp>
#include <sluice/codec/decode_error.hpp>
#include <sluice/codec/type_name.hpp>
#include <sluice/codec/value_codec.hpp>

namespace sluice::codec {

template <class T, class Enable = void>
struct key_codec;

template <class T>
inline constexpr bool is_key_encodable_v = detail::has_encoder<key_codec, T>;

template <class T>
concept key_encodable = is_key_encodable_v<T>;

// Lookup-only types (std::string_view, const char*) are encodable but not decodable.
template <class T>
inline constexpr bool is_key_decodable_v =
    is_key_encodable_v<T> && detail::has_decoder<key_codec, T>;

template <class T>
concept key_decodable = is_key_decodable_v<T>;

namespace detail {

inline constexpr std::string_view element_marker_label = " element marker";

// Flipping the sign bit maps two's complement order onto unsigned order.
template <plain_integer T>
inline constexpr auto sign_flip_v = [] {
  using U = std::make_unsigned_t<T>;
  return std::is_signed_v<T> ? static_cast<U>(U{1} << (std::numeric_limits<U>::digits - 1)) : U{0};
}();

template <ieee_float F>
struct float_key_bits {
  using bits_t = float_bits_t<F>;
  static constexpr bits_t sign = static_cast<bits_t>(bits_t{1} << (sizeof(F) * 8 - 1));
  static constexpr bits_t canonical_nan =
      std::bit_cast<bits_t>(std::numeric_limits<F>::quiet_NaN());
  static_assert((canonical_nan & sign) == 0, "the canonical NaN must sort after +infinity");

  // Equal values get equal bits: -0.0 becomes +0.0, every NaN the canonical one.
  static constexpr bits_t canonical(F value) noexcept {
    if (value != value) return canonical_nan;
    return value == 0 ? bits_t{0} : std::bit_cast<bits_t>(value);
  }

  // Negative values grow as their magnitude bits shrink, so those flip; positives go above.
  static constexpr bits_t to_ordered(bits_t bits) noexcept {
    return (bits & sign) != 0 ? static_cast<bits_t>(~bits) : static_cast<bits_t>(bits | sign);
  }

  static constexpr bits_t from_ordered(bits_t ordered) noexcept {
    return (ordered & sign) != 0 ? static_cast<bits_t>(ordered & ~sign)
                                 : static_cast<bits_t>(~ordered);
  }
};

// Strings: 0x00 starts a two-byte sequence, 0x00 0xFF for a NUL in the string and 0x00 0x01 for
// its end. The end sorts below every continuation, so a string sorts before its extensions.
inline constexpr char string_escape = '\x00';
inline constexpr char escaped_nul = static_cast<char>(0xFF);
inline constexpr char string_end = '\x01';

struct string_key_encoder {
  static void encode(std::string& out, std::string_view text) {
    for (auto nul = text.find(string_escape); nul != std::string_view::npos;
         nul = text.find(string_escape)) {
      out.append(text.substr(0, nul)).append({string_escape, escaped_nul});
      text.remove_prefix(nul + 1);
    }
    out.append(text).append({string_escape, string_end});
  }
};

inline std::string decode_string_key(byte_reader& in) {
  constexpr std::string_view what = "std::string key";
  std::string text;
  for (;;) {
    const std::size_t run = in.rest().find(string_escape);
    if (run == std::string_view::npos) {
      throw decode_error{what, "the input ends before the end of the string"};
    }
    text.append(in.take(run, what));
    in.take_byte(what);  // the escape just found
    const auto marker = static_cast<char>(in.take_byte(what));
    if (marker == string_end) return text;
    if (marker != escaped_nul) {
      throw decode_error{what, "0x00 followed by " + hex_byte(static_cast<std::uint8_t>(marker)) +
                                   " rather than 0xff or 0x01"};
    }
    text.push_back('\0');
  }
}

}  // namespace detail

// ---- the codecs ----------------------------------------------------------------------------

template <detail::plain_integer T>
struct key_codec<T> {
  using bits_t = std::make_unsigned_t<T>;

  static void encode(std::string& out, T value) {
    detail::append_fixed<std::endian::big>(
        out, static_cast<bits_t>(static_cast<bits_t>(value) ^ detail::sign_flip_v<T>));
  }

  static T decode(byte_reader& in) {
    const auto bits = detail::read_fixed<std::endian::big, bits_t>(in, type_name_v<T>);
    return static_cast<T>(static_cast<bits_t>(bits ^ detail::sign_flip_v<T>));
  }
};

template <>
struct key_codec<bool> : value_codec<bool> {};

template <>
struct key_codec<char> : value_codec<char> {};

template <detail::ieee_float F>
struct key_codec<F> {
  using float_bits = detail::float_key_bits<F>;
  using bits_t = typename float_bits::bits_t;

  static void encode(std::string& out, F value) {
    detail::append_fixed<std::endian::big>(out,
                                           float_bits::to_ordered(float_bits::canonical(value)));
  }

  static F decode(byte_reader& in) {
    const bits_t bits =
        float_bits::from_ordered(detail::read_fixed<std::endian::big, bits_t>(in, type_name_v<F>));
    const auto value = std::bit_cast<F>(bits);
    if (float_bits::canonical(value) != bits) {
      throw decode_error{type_name_v<F>, "not as keys are written: -0.0 is written as +0.0, "
                                         "and every NaN as one canonical NaN"};
    }
    return value;
  }
};

template <>
struct key_codec<std::string> : detail::string_key_encoder {
  static std::string decode(byte_reader& in) { return detail::decode_string_key(in); }
};

template <>
struct key_codec<std::string_view> : detail::string_key_encoder {};

// The pointer must be to a NUL-terminated string.
template <>
struct key_codec<const char*> : detail::string_key_encoder {};

template <>
struct key_codec<char*> : detail::string_key_encoder {};

// A char array holds a C string: it ends at the first NUL, or at the end of the array.
template <std::size_t N>
struct key_codec<char[N]> {
  static void encode(std::string& out, const char (&text)[N]) {
    const std::string_view chars{text, N};
    detail::string_key_encoder::encode(out, chars.substr(0, chars.find('\0')));
  }
};

template <key_encodable T, class Allocator>
struct key_codec<std::vector<T, Allocator>> {
  using vector_type = std::vector<T, Allocator>;

  static void encode(std::string& out, const vector_type& values) {
    for (const auto& value : values) {
      detail::append_flag(out, true);
      key_codec<T>::encode(out, value);
    }
    detail::append_flag(out, false);
  }

  static vector_type decode(byte_reader& in)
    requires detail::has_decoder<key_codec, T>
  {
    constexpr std::string_view what =
        detail::join_v<type_name_v<vector_type>, detail::element_marker_label>;
    vector_type values;
    while (detail::read_flag(in, what)) values.push_back(key_codec<T>::decode(in));
    return values;
  }
};

template <key_encodable T>
struct key_codec<std::optional<T>> : detail::optional_codec<key_codec, T> {};

template <key_encodable T, std::size_t N>
struct key_codec<std::array<T, N>> : detail::array_codec<key_codec, T, N> {};

template <detail::product T>
  requires detail::all_encodable_v<key_codec, detail::parts_t<T>>
struct key_codec<T> : detail::product_codec<key_codec, T> {};

// ---- entry points --------------------------------------------------------------------------

namespace detail {

template <class T>
struct checked_key_codec {
  // READ THIS IF YOUR COMPILE BREAKS HERE: the type T named in the instantiation note below
  // has no key encoding. Use one of the supported types, adapt your struct with
  // BOOST_HANA_DEFINE_STRUCT or BOOST_HANA_ADAPT_STRUCT, or specialize key_codec for it.
  static_assert(is_key_encodable_v<T>,
                "sluice: this type cannot be encoded as a key: supported are integers, bool, "
                "char, float, double, std::string (and, for lookups, std::string_view and "
                "const char*), std::vector, std::optional, std::tuple, std::pair, std::array and "
                "Boost.Hana structs, made of supported types, and types with a "
                "sluice::codec::key_codec specialization");
  using type = std::conditional_t<is_key_encodable_v<T>, key_codec<T>, missing_codec<T>>;
};

template <class T>
struct checked_key_decoder : checked_key_codec<T> {
  static_assert(!is_key_encodable_v<T> || is_key_decodable_v<T>,
                "sluice: this key type can be encoded but not decoded: std::string_view and "
                "const char* encode like std::string for lookups; decode std::string instead");
  using type = std::conditional_t<is_key_decodable_v<T>, key_codec<T>, missing_codec<T>>;
};

}  // namespace detail

// Appends the encoding of `key` to `out`.
template <class T>
void encode_key_to(std::string& out, const T& key) {
  detail::checked_key_codec<T>::type::encode(out, key);
}

template <class T>
std::string encode_key(const T& key) {
  std::string out;
  encode_key_to(out, key);
  return out;
}

// Decodes one T from `in`, leaving `in` just past it.
template <class T>
T decode_key_from(byte_reader& in) {
  return detail::checked_key_decoder<T>::type::decode(in);
}

// Decodes `bytes`, which must hold exactly one encoded key.
template <class T>
T decode_key(std::string_view bytes) {
  return detail::decode_exactly<T>(bytes, decode_key_from<T>);
}

}  // namespace sluice::codec
