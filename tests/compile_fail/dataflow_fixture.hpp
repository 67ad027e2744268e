#pragma once
// What the dataflow compile-fail cases share: a depot of posts, a feed PState, a type that cannot
// be encoded, and `chain`, a checked chain that binds "*post" and "*id". Each case adds one step
// to it, correct in its control build and a misuse under SLUICE_COMPILE_FAIL.

#include <sluice/dataflow.hpp>
#include <sluice/pstate.hpp>

#include <boost/hana/define_struct.hpp>

#include <cstdint>
#include <string>

using namespace sluice::literals;
using sluice::path;

struct Post {
  BOOST_HANA_DEFINE_STRUCT(Post, (std::string, id), (std::string, text), (std::int64_t, time_millis));
};
inline constexpr auto posts = sluice::depot<"*posts", Post>(sluice::hash_by<&Post::id>);
inline constexpr auto feeds = sluice::pstate<"$$feeds", sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>>;
struct opaque {};  // not encodable

inline auto chain = sluice::source(posts).out("*post"_v).each(sluice::get<"id">, "*post"_v).out("*id"_v);
