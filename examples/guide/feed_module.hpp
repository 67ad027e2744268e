#pragma once
// The guide's first module: every post appended to a depot lands at once at the end of its
// author's feed. docs/guide.md builds the timed_notifications module from it.

#include <sluice/sluice.hpp>

#include <boost/hana/define_struct.hpp>

#include <string>

// snippet: module
struct Post {
  BOOST_HANA_DEFINE_STRUCT(Post,
    (std::string, user),  // the author, also the partitioning key
    (std::string, text));
};

struct FeedModule {
  static constexpr auto post_depot = sluice::depot<"*post-depot", Post>(sluice::hash_by<&Post::user>);
  static constexpr auto feeds = sluice::pstate<"$$feeds",
      sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>>;

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    using namespace sluice::literals;
    using sluice::path;
    setup.declare(post_depot);
    auto& core = topologies.stream("core");
    core.declare(feeds);
    core.add(sluice::source(post_depot).out("*post"_v)
        .each(sluice::get<"user">, "*post"_v).out("*user"_v)
        .each(sluice::get<"text">, "*post"_v).out("*text"_v)
        .local_transform(feeds, path::key("*user"_v).after_elem().term_val("*text"_v)));
  }
};
// end snippet: module
