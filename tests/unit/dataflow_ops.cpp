// Each dataflow op, run through real PStates on several task environments (plan_runner.hpp).

#include "plan_runner.hpp"

#include <sluice/codec/stable_hash.hpp>
#include <sluice/dataflow.hpp>

#include <boost/hana/define_struct.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace sluice::literals;
using sluice::path;
using sluice_test::plan_runner;
using strings = std::vector<std::string>;

namespace {

struct Post {
  BOOST_HANA_DEFINE_STRUCT(Post, (std::string, user), (std::string, text));
};

using feed_schema = sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>;
using count_schema = sluice::map_schema<std::string, std::int64_t>;
inline constexpr auto posts = sluice::depot<"*posts", Post>(sluice::hash_by<&Post::user>);
inline constexpr auto feeds = sluice::pstate<"$$feeds", feed_schema>;
inline constexpr auto counts = sluice::pstate<"$$counts", count_schema>;
inline constexpr auto increment = [](std::int64_t n) { return n + 1; };

/// Emits each whitespace-separated word of a text.
void split_words(sluice::emitter<std::string>& emit, const std::string& text) {
  std::istringstream words{text};
  for (std::string word; words >> word;) emit(word);
}

/// A module made of one topology whose chains `build(core)` adds.
template <class Build>
struct test_module {
  Build build;
  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(posts);
    auto& core = topologies.stream("core");
    core.declare(feeds);
    core.declare(counts);
    build(core);
  }
};
template <class Build>
plan_runner run_module(Build build, std::uint32_t tasks = 1) {
  return plan_runner{sluice::dataflow::make_module_plan(test_module<Build>{build}), tasks};
}

std::uint32_t owner(const std::string& key, std::uint32_t tasks) {
  return static_cast<std::uint32_t>(sluice::codec::key_hash(key) % tasks);
}

}  // namespace

TEST_CASE("source, get, out and local_transform append to a feed", "[dataflow]") {
  auto runner = run_module([](sluice::stream_topology& core) {
    core.add(sluice::source(posts).out("*post"_v)
                 .each(sluice::get<"user">, "*post"_v).out("*user"_v)
                 .each(sluice::get<"text">, "*post"_v).out("*text"_v)
                 .local_transform(feeds, path::key("*user"_v).after_elem().term_val("*text"_v)));
  });
  runner.append("*posts", 0, Post{"alice", "one"});
  runner.append("*posts", 0, Post{"alice", "two"});
  runner.append("*posts", 0, Post{"bob", "three"});
  CHECK(runner.select<feed_schema>(0, 0, path::key("alice").all()) == strings{"one", "two"});
  CHECK(runner.select<feed_schema>(0, 0, path::key("bob").all()) == strings{"three"});
}

TEST_CASE("each: a function emitting many times runs the rest once per value", "[dataflow]") {
  auto runner = run_module([](sluice::stream_topology& core) {
    core.add(sluice::source(posts).out("*post"_v)
                 .each(sluice::get<"text">, "*post"_v).out("*text"_v)
                 .each(split_words, "*text"_v).out("*word"_v)
                 .local_transform(counts, path::key("*word"_v).null_to_val(0).term(increment)));
  });
  runner.append("*posts", 0, Post{"a", "the cat saw the dog"});
  CHECK(runner.select<count_schema>(0, 1, path::all()) ==
        std::vector<std::pair<std::string, std::int64_t>>{{"cat", 1}, {"dog", 1}, {"saw", 1}, {"the", 2}});
}

TEST_CASE("keep_true and if_true choose what runs", "[dataflow]") {
  auto runner = run_module([](sluice::stream_topology& core) {
    core.add(sluice::source(posts).out("*post"_v)
                 .each(sluice::get<"text">, "*post"_v).out("*text"_v)
                 .each([](const std::string& t) { return t.starts_with("!"); }, "*text"_v).out("*loud"_v)
                 .if_true("*loud"_v,
                          sluice::block().each([] { return std::string{"loud"}; }).out("*kind"_v)
                              .local_transform(counts, path::key("*kind"_v).null_to_val(0).term(increment)),
                          sluice::block().local_transform(counts, path::key("quiet").null_to_val(0).term(increment)))
                 .local_transform(counts, path::key("all").null_to_val(0).term(increment))
                 .keep_true("*loud"_v)
                 .local_transform(counts, path::key("after keep_true").null_to_val(0).term(increment)));
  });
  for (const char* text : {"!a", "b", "!c", "d", "e"}) runner.append("*posts", 0, Post{"u", text});
  CHECK(runner.select<count_schema>(0, 1, path::all()) ==
        std::vector<std::pair<std::string, std::int64_t>>{{"after keep_true", 2}, {"all", 5}, {"loud", 2}, {"quiet", 3}});
}

TEST_CASE("local_select emits once per value found", "[dataflow]") {
  auto runner = run_module([](sluice::stream_topology& core) {
    core.add(sluice::source(posts).out("*post"_v)
                 .each(sluice::get<"user">, "*post"_v).out("*user"_v)
                 .each(sluice::get<"text">, "*post"_v).out("*text"_v)
                 .local_transform(feeds, path::key("*user"_v).after_elem().term_val("*text"_v))
                 .local_select(feeds, path::key("*user"_v).all()).out("*seen"_v)
                 .local_transform(counts, path::key("*seen"_v).null_to_val(0).term(increment)));
  });
  runner.append("*posts", 0, Post{"u", "x"});
  runner.append("*posts", 0, Post{"u", "y"});
  // The second append sees both of u's posts.
  CHECK(runner.select<count_schema>(0, 1, path::all()) ==
        std::vector<std::pair<std::string, std::int64_t>>{{"x", 2}, {"y", 1}});
}

TEST_CASE("hash_partition moves to the task owning the key", "[dataflow]") {
  constexpr std::uint32_t tasks = 4;
  auto runner = run_module(
      [](sluice::stream_topology& core) {
        core.add(sluice::source(posts).out("*post"_v)
                     .each(sluice::get<"text">, "*post"_v).out("*text"_v)
                     .each(split_words, "*text"_v).out("*word"_v)
                     .hash_partition("*word"_v)
                     .local_transform(counts, path::key("*word"_v).null_to_val(0).term(increment)));
      },
      tasks);
  const std::map<std::string, std::int64_t> expected{{"a", 3}, {"b", 2}, {"c", 1}, {"d", 1}, {"e", 1}};
  runner.append("*posts", 1, Post{"u", "a b a c"});
  runner.append("*posts", 2, Post{"u", "d e a b"});
  for (std::uint32_t t = 0; t < tasks; ++t)
    for (const auto& [word, n] : runner.select<count_schema>(t, 1, path::all())) {
      CHECK(owner(word, tasks) == t);
      CHECK(expected.at(word) == n);
    }
  std::int64_t total = 0;
  for (std::uint32_t t = 0; t < tasks; ++t)
    for (const auto& [word, n] : runner.select<count_schema>(t, 1, path::all())) total += n;
  CHECK(total == 8);
}

TEST_CASE("staying on the same task needs no hop", "[dataflow]") {
  auto runner = run_module(
      [](sluice::stream_topology& core) {
        core.add(sluice::source(posts).out("*post"_v)
                     .each(sluice::get<"user">, "*post"_v).out("*user"_v)
                     .hash_partition("*user"_v)
                     .local_transform(counts, path::key("*user"_v).null_to_val(0).term(increment)));
      },
      4);
  runner.append("*posts", owner("alice", 4), Post{"alice", "x"});
  CHECK(runner.hops_sent() == 0);
  CHECK(runner.select<count_schema>(owner("alice", 4), 1, path::key("alice")) == std::vector<std::int64_t>{1});
  runner.append("*posts", (owner("alice", 4) + 1) % 4, Post{"alice", "x"});
  CHECK(runner.hops_sent() == 1);
  CHECK(runner.select<count_schema>(owner("alice", 4), 1, path::key("alice")) == std::vector<std::int64_t>{2});
}

TEST_CASE("all_partition runs the rest on every task; direct_partition on one", "[dataflow]") {
  constexpr std::uint32_t tasks = 3;
  auto runner = run_module(
      [](sluice::stream_topology& core) {
        core.add(sluice::source(posts).out("*post"_v)
                     .all_partition()
                     .local_transform(counts, path::key("everywhere").null_to_val(0).term(increment))
                     .each([] { return 2; }).out("*two"_v)
                     .direct_partition("*two"_v)
                     .local_transform(counts, path::key("on two").null_to_val(0).term(increment)));
      },
      tasks);
  runner.append("*posts", 0, Post{"u", "x"});
  for (std::uint32_t t = 0; t < tasks; ++t) {
    CHECK(runner.select<count_schema>(t, 1, path::key("everywhere")) == std::vector<std::int64_t>{1});
    const auto on_two = runner.select<count_schema>(t, 1, path::key("on two"));
    CHECK(on_two == (t == 2 ? std::vector<std::int64_t>{3} : std::vector<std::int64_t>{}));
  }
}

namespace {
/// A macro with an internal variable named like the caller's: gen_var keeps them apart.
template <class In>
auto shout(In text) {
  constexpr auto loud = sluice::gen_var<"*text">();
  return sluice::block()
      .each([](const std::string& t) { return t + "!"; }, text).out(loud)
      .local_transform(counts, path::key(loud).null_to_val(0).term(increment));
}
}  // namespace

TEST_CASE("macro splices a block; its generated variables never collide", "[dataflow]") {
  auto runner = run_module([](sluice::stream_topology& core) {
    core.add(sluice::source(posts).out("*post"_v)
                 .each(sluice::get<"text">, "*post"_v).out("*text"_v)
                 .macro(shout("*text"_v))
                 .local_transform(counts, path::key("*text"_v).null_to_val(0).term(increment)));
  });
  runner.append("*posts", 0, Post{"u", "hey"});
  CHECK(runner.select<count_schema>(0, 1, path::all()) ==
        std::vector<std::pair<std::string, std::int64_t>>{{"hey", 1}, {"hey!", 1}});
}

TEST_CASE("definition errors name what is wrong", "[dataflow]") {
  struct undeclared_pstate {
    void define(sluice::setup& setup, sluice::topologies& topologies) const {
      setup.declare(posts);
      auto& core = topologies.stream("core");
      core.add(sluice::source(posts).out("*post"_v).local_transform(counts, path::key("x").term_val(1)));
    }
  };
  CHECK_THROWS_WITH(sluice::dataflow::make_module_plan<undeclared_pstate>(),
                    Catch::Contains("uses PState $$counts, which it does not declare"));

  struct undeclared_depot {
    void define(sluice::setup&, sluice::topologies& topologies) const {
      topologies.stream("core").add(sluice::source(posts).out("*post"_v));
    }
  };
  CHECK_THROWS_WITH(sluice::dataflow::make_module_plan<undeclared_depot>(),
                    Catch::Contains("reads depot *posts, which the module does not declare"));

  struct twice {
    void define(sluice::setup& setup, sluice::topologies&) const { setup.declare(posts, posts); }
  };
  CHECK_THROWS_AS(sluice::dataflow::make_module_plan<twice>(), sluice::definition_error);
}

namespace {
inline constexpr auto fill = sluice::depot<"*fill", std::int64_t>(sluice::random_partition);
inline constexpr auto drain = sluice::depot<"*drain", std::int64_t>(sluice::random_partition);
inline constexpr auto queue = sluice::pstate<"$$queue", sluice::map_schema<std::int64_t, std::int64_t>>;

struct draining_module {
  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(fill, drain);
    auto& core = topologies.stream("core");
    core.declare(queue);
    core.declare(counts);
    core.add(sluice::source(fill).out("*n"_v)
                 .each([](sluice::emitter<std::int64_t>& emit, std::int64_t n) { for (std::int64_t i = 0; i < n; ++i) emit(i); }, "*n"_v).out("*i"_v)
                 .local_transform(queue, path::key("*i"_v).term_val("*i"_v)));
    core.add(sluice::source(drain).out("*round size"_v)
                 .each([] { return 0; }).out("*task"_v)
                 .direct_partition("*task"_v)
                 .local_transform(counts, path::key("rounds").null_to_val(0).term(increment))
                 .local_select(queue, path::view(sluice::size)).out("*left"_v)
                 .each([](std::size_t left, std::int64_t round) { return std::cmp_greater(left, round); }, "*left"_v, "*round size"_v).out("*more"_v)
                 .if_true("*more"_v, sluice::block().continue_later())
                 .local_select(queue, path::sorted_map_range_from(std::int64_t{0}, "*round size"_v).map_keys()).out("*item"_v)
                 .local_transform(queue, path::must("*item"_v).term_void())
                 .local_transform(counts, path::key("processed").null_to_val(0).term(increment)));
  }
};
}  // namespace

TEST_CASE("continue_later resumes after the last partitioner in a new event", "[dataflow]") {
  plan_runner runner{sluice::dataflow::make_module_plan<draining_module>(), 1};
  runner.append("*fill", 0, std::int64_t{5});
  runner.append("*drain", 0, std::int64_t{2});
  CHECK(runner.select<count_schema>(0, 1, path::all()) ==
        std::vector<std::pair<std::string, std::int64_t>>{{"processed", 5}, {"rounds", 3}});
  CHECK(runner.hops_sent() == 2);  // two rounds continued later; the partition to task 0 stayed local
}

TEST_CASE("current_time_millis reads the event's clock", "[dataflow]") {
  auto runner = run_module([](sluice::stream_topology& core) {
    core.add(sluice::source(posts).out("*post"_v)
                 .each(sluice::current_time_millis).out("*now"_v)
                 .local_transform(counts, path::key("now").term_val("*now"_v)));
  });
  runner.append("*posts", 0, Post{"u", "x"}, 1234);
  CHECK(runner.select<count_schema>(0, 1, path::key("now")) == std::vector<std::int64_t>{1234});
}
