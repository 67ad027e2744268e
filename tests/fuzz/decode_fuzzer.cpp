// libFuzzer target: every input is decoded as values and keys of several types. Decoding must
// either throw sluice::decode_error or give a value whose encoding is the input itself (each
// value has one encoding). Any other exception, a crash, a sanitizer report or a value that
// encodes differently is a finding.

#include <sluice/codec/key_codec.hpp>
#include <sluice/codec/value_codec.hpp>

#include <boost/hana/define_struct.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace codec = sluice::codec;

namespace decode_fuzzer {

struct item {
  BOOST_HANA_DEFINE_STRUCT(item, (std::string, name), (std::uint32_t, count), (double, weight));
};

struct record {
  BOOST_HANA_DEFINE_STRUCT(record, (std::int64_t, id), (std::vector<item>, items),
                           (std::optional<item>, featured),
                           (std::unordered_map<std::int32_t, std::string>, labels),
                           (std::set<std::uint8_t>, flags));
};

struct event_key {
  BOOST_HANA_DEFINE_STRUCT(event_key, (std::string, stream), (std::uint64_t, sequence),
                           (std::optional<double>, score));
};

template <class T>
void decode_as_value(std::string_view input) {
  try {
    if (codec::encode_value(codec::decode_value<T>(input)) != input) std::abort();
  } catch (const sluice::decode_error&) {
  }
}

template <class T>
void decode_as_key(std::string_view input) {
  try {
    if (codec::encode_key(codec::decode_key<T>(input)) != input) std::abort();
  } catch (const sluice::decode_error&) {
  }
}

}  // namespace decode_fuzzer

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace decode_fuzzer;
  const std::string_view input{reinterpret_cast<const char*>(data), size};

  decode_as_value<std::uint64_t>(input);
  decode_as_value<std::int16_t>(input);
  decode_as_value<double>(input);
  decode_as_value<std::string>(input);
  decode_as_value<std::vector<std::int32_t>>(input);
  decode_as_value<std::map<std::string, std::optional<float>>>(input);
  decode_as_value<std::tuple<bool, char, std::array<std::uint16_t, 2>>>(input);
  decode_as_value<record>(input);

  decode_as_key<std::int64_t>(input);
  decode_as_key<double>(input);
  decode_as_key<std::string>(input);
  decode_as_key<std::tuple<std::string, std::int32_t, std::optional<std::string>>>(input);
  decode_as_key<std::vector<std::string>>(input);
  decode_as_key<std::pair<bool, std::array<std::int8_t, 2>>>(input);
  decode_as_key<event_key>(input);
  return 0;
}
