#pragma once
// A follower index: who follows whom, kept from both sides. A follow or unfollow is appended on
// the follower's task, recorded there in $$following, then moves to the followee's task and is
// recorded there in $$followers, so each user's two lists are read from one task.

#include <sluice/sluice.hpp>

#include <boost/hana/define_struct.hpp>

#include <cstdint>
#include <string>
#include <utility>

// snippet: record
struct Follow {
  BOOST_HANA_DEFINE_STRUCT(Follow,
    (std::string, follower),  // who follows, also the partitioning key
    (std::string, followee),  // whom
    (bool, follows));         // true: follow; false: unfollow
};

inline Follow follow(std::string follower, std::string followee) {
  return {std::move(follower), std::move(followee), true};
}
inline Follow unfollow(std::string follower, std::string followee) {
  return {std::move(follower), std::move(followee), false};
}
// end snippet: record

// snippet: module
struct FollowsModule {
  static constexpr auto follow_depot =
      sluice::depot<"*follow-depot", Follow>(sluice::hash_by<&Follow::follower>);
  // user -> (other user -> since when, epoch millis); one subindexed map per user.
  using edges = sluice::map_schema<std::string, sluice::map_schema<std::string, std::int64_t, sluice::subindexed>>;
  static constexpr auto following = sluice::pstate<"$$following", edges>;  // whom each user follows
  static constexpr auto followers = sluice::pstate<"$$followers", edges>;  // who follows each user

  /// A block that records `owner -> other` in `pstate` when `follows` is true, else removes it.
  template <class Owner, class Other, class Follows, class Since>
  static auto set_edge(sluice::pstate_descriptor<edges> pstate, Owner owner, Other other, Follows follows, Since since) {
    using sluice::path;
    return sluice::block().if_true(follows,
        sluice::block().local_transform(pstate, path::key(owner).key(other).term_val(since)),
        sluice::block().local_transform(pstate, path::key(owner).must(other).term_void()));
  }

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    using namespace sluice::literals;
    setup.declare(follow_depot);
    auto& core = topologies.stream("core");
    core.declare(following);
    core.declare(followers);
    core.add(sluice::source(follow_depot).out("*follow"_v)
        .each(sluice::get<"follower">, "*follow"_v).out("*follower"_v)
        .each(sluice::get<"followee">, "*follow"_v).out("*followee"_v)
        .each(sluice::get<"follows">, "*follow"_v).out("*follows"_v)
        .each(sluice::current_time_millis).out("*since"_v)
        .macro(set_edge(following, "*follower"_v, "*followee"_v, "*follows"_v, "*since"_v))
        .hash_partition("*followee"_v)
        .macro(set_edge(followers, "*followee"_v, "*follower"_v, "*follows"_v, "*since"_v)));
  }
};
// end snippet: module
