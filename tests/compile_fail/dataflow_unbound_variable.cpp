// expect: sluice dataflow: a variable is used before any op binds it
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

void define(sluice::stream_topology& core) {
  auto chain = sluice::source(posts).out("*post"_v).each(sluice::get<"id">, "*post"_v).out("*id"_v);
#ifdef SLUICE_COMPILE_FAIL
  core.add(chain.each(sluice::get<"text">, "*nope"_v).out("*text"_v));
#else
  core.add(chain.each(sluice::get<"text">, "*post"_v).out("*text"_v));
#endif
}
