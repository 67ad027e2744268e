// describe_encoding names how a type is encoded, not what it is called: types that encode alike
// describe alike, and types that encode differently never do. Schemas describe their layout.

#include <sluice/codec/describe.hpp>
#include <sluice/codec/type_name.hpp>
#include <sluice/codec/value_codec.hpp>
#include <sluice/pstate/schema.hpp>

#include <boost/hana/define_struct.hpp>
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

using sluice::codec::describe_encoding;

namespace {

struct point {
  BOOST_HANA_DEFINE_STRUCT(point, (std::int32_t, x), (std::int32_t, y));
};

struct labelled {
  BOOST_HANA_DEFINE_STRUCT(labelled, (std::string, label), (point, at), (std::optional<double>, weight));
};

// Encoded by a codec of its own: described by its name.
struct opaque {
  std::uint8_t byte = 0;
};

}  // namespace

template <>
struct sluice::codec::value_codec<opaque> {
  static void encode(std::string& out, const opaque& value) { out.push_back(static_cast<char>(value.byte)); }
  static opaque decode(byte_reader& in) { return {static_cast<std::uint8_t>(in.take_byte("opaque"))}; }
};

TEST_CASE("scalars are described by kind and width", "[codec][describe]") {
  CHECK(describe_encoding<bool>() == "bool");
  CHECK(describe_encoding<char>() == "char");
  CHECK(describe_encoding<std::int8_t>() == "int8");
  CHECK(describe_encoding<std::uint16_t>() == "uint16");
  CHECK(describe_encoding<std::int32_t>() == "int32");
  CHECK(describe_encoding<std::int64_t>() == "int64");
  CHECK(describe_encoding<std::uint64_t>() == "uint64");
  CHECK(describe_encoding<float>() == "float32");
  CHECK(describe_encoding<double>() == "float64");
  CHECK(describe_encoding<std::string>() == "string");
  CHECK(describe_encoding<const std::string>() == "string");
  // Distinct C++ types of one width and signedness encode alike.
  CHECK(describe_encoding<long long>() == describe_encoding<std::int64_t>());
}

TEST_CASE("containers are described with their elements", "[codec][describe]") {
  CHECK(describe_encoding<std::vector<std::string>>() == "vector<string>");
  CHECK(describe_encoding<std::set<std::int64_t>>() == "set<int64>");
  CHECK(describe_encoding<std::map<std::string, std::vector<bool>>>() == "map<string,vector<bool>>");
  CHECK(describe_encoding<std::unordered_map<std::string, std::int32_t>>() == "unordered_map<string,int32>");
  CHECK(describe_encoding<std::optional<std::uint8_t>>() == "optional<uint8>");
  CHECK(describe_encoding<std::array<char, 4>>() == "array<char,4>");
}

TEST_CASE("products are described by their parts, whatever they are called", "[codec][describe]") {
  // snippet: describe
  CHECK(sluice::codec::describe_encoding<point>() == "(int32,int32)");  // a Hana struct {int32_t x, y;}
  CHECK(sluice::codec::describe_encoding<std::pair<std::int32_t, std::int32_t>>() == "(int32,int32)");
  CHECK(sluice::schema::describe<sluice::map_schema<std::string, sluice::list_schema<point, sluice::subindexed>>>() ==
        "map_schema<string,list_schema<(int32,int32),subindexed>>");
  // end snippet: describe
  CHECK(describe_encoding<std::tuple<std::int32_t, std::int32_t>>() == describe_encoding<point>());
  CHECK(describe_encoding<labelled>() == "(string,(int32,int32),optional<float64>)");
  CHECK(describe_encoding<std::tuple<>>() == "()");
  CHECK(describe_encoding<std::vector<point>>() == "vector<(int32,int32)>");
  // ... and they do encode alike.
  CHECK(sluice::codec::encode_value(point{3, -4}) == sluice::codec::encode_value(std::pair<std::int32_t, std::int32_t>{3, -4}));
}

TEST_CASE("a type with a codec of its own is described by its name", "[codec][describe]") {
  const std::string name{sluice::codec::type_name_v<opaque>};
  CHECK_THAT(name, Catch::EndsWith("::opaque"));
  CHECK(describe_encoding<opaque>() == "custom " + name);
  CHECK(describe_encoding<std::vector<opaque>>() == "vector<custom " + name + ">");
}

TEST_CASE("schemas are described as they are declared, with their options", "[pstate][describe]") {
  using sluice::list_schema;
  using sluice::map_schema;
  using sluice::set_schema;
  using sluice::subindexed;
  CHECK(sluice::schema::describe<std::int64_t>() == "int64");
  CHECK(sluice::schema::describe<map_schema<std::string, std::int64_t>>() == "map_schema<string,int64>");
  CHECK(sluice::schema::describe<map_schema<std::string, list_schema<std::string, subindexed>>>() ==
        "map_schema<string,list_schema<string,subindexed>>");
  CHECK(sluice::schema::describe<map_schema<std::string, list_schema<std::string>>>() ==
        "map_schema<string,list_schema<string>>");
  CHECK(sluice::schema::describe<map_schema<point, set_schema<std::string, subindexed>>>() ==
        "map_schema<(int32,int32),set_schema<string,subindexed>>");
  CHECK(sluice::schema::describe<map_schema<std::string, map_schema<std::int64_t, labelled, subindexed>>>() ==
        "map_schema<string,map_schema<int64,(string,(int32,int32),optional<float64>),subindexed>>");
}
