// Each navigator on a real LMDB-backed partition, with the values it must produce.

#include "pstate_fixture.hpp"

#include <catch2/catch.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/take.hpp>
#include <range/v3/view/transform.hpp>
#include <range/v3/range/operations.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using sluice::path;
using sluice_test::pstate_fixture;
using strings = std::vector<std::string>;

using feeds_schema = sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>;

TEST_CASE("subindexed list: append, prepend, nth, first, last, size, all", "[pstate]") {
  pstate_fixture<feeds_schema> f;
  f.transform(path::key("alice").after_elem().term_val("b"));
  f.transform(path::key("alice").after_elem().term_val("c"));
  f.transform(path::key("alice").before_elem().term_val("a"));

  CHECK(f.select(path::key("alice").all()) == strings{"a", "b", "c"});
  CHECK(f.select_one(path::key("alice")) == strings{"a", "b", "c"});
  CHECK(f.select_one(path::key("alice").view(sluice::size)) == 3);
  CHECK(f.select_one(path::key("alice").nth(1)) == "b");
  CHECK(f.select_one(path::key("alice").first()) == "a");
  CHECK(f.select_one(path::key("alice").last()) == "c");
  CHECK(f.select(path::key("alice").nth(3)).empty());
  CHECK(f.select(path::key("alice").nth(-1)).empty());

  SECTION("an absent list reads as empty") {
    CHECK(f.select_one(path::key("bob").view(sluice::size)) == 0);
    CHECK(f.select(path::key("bob").all()).empty());
    CHECK_THROWS_AS(f.select_one(path::key("bob").first()), sluice::select_error);
    CHECK(f.select(path::must("bob")).empty());
    CHECK_FALSE(f.transform(path::must("bob").after_elem().term_val("x")));
    CHECK(f.select(path::map_keys()) == strings{"alice"});
  }
  SECTION("set, change and remove by index") {
    f.transform(path::key("alice").nth(0).term_val("A"));
    f.transform(path::key("alice").last().term([](const std::string& s) { return s + "!"; }));
    CHECK(f.select(path::key("alice").all()) == strings{"A", "b", "c!"});
    f.transform(path::key("alice").nth(1).term_void());
    CHECK(f.select(path::key("alice").all()) == strings{"A", "c!"});
    f.transform(path::key("alice").first().term_void());
    f.transform(path::key("alice").after_elem().term_val("d"));
    CHECK(f.select(path::key("alice").all()) == strings{"c!", "d"});
    CHECK(f.select_one(path::key("alice").nth(1)) == "d");
  }
  SECTION("filter_pred narrows what a transform touches") {
    f.transform(path::key("alice").all().filter_pred([](const std::string& s) { return s != "b"; }).term_void());
    CHECK(f.select(path::key("alice").all()) == strings{"b"});
    CHECK(f.select_one(path::key("alice").view(sluice::size)) == 1);
  }
  SECTION("removing the key removes every entry of the list") {
    f.transform(path::key("alice").term_void());
    CHECK(f.select(path::map_keys()).empty());
    CHECK(f.entries() == 0);
  }
  SECTION("survives reopening the environment") {
    f.reopen();
    CHECK(f.select(path::key("alice").all()) == strings{"a", "b", "c"});
  }
}

TEST_CASE("subindexed map: sorted ranges, size, must", "[pstate]") {
  using schema = sluice::map_schema<std::string, sluice::map_schema<std::int64_t, std::string, sluice::subindexed>>;
  using keys = std::vector<std::int64_t>;
  pstate_fixture<schema> f;
  for (std::int64_t k = 5; k >= -5; --k) f.transform(path::key("m").key(k).term_val(std::to_string(k)));

  CHECK(f.select_one(path::key("m").view(sluice::size)) == 11);
  CHECK(f.select(path::key("m").sorted_map_range(-2, 3).map_keys()) == keys{-2, -1, 0, 1, 2});
  CHECK(f.select(path::key("m").sorted_map_range(3, -2).map_keys()).empty());
  CHECK(f.select(path::key("m").sorted_map_range_from(0, 3).map_keys()) == keys{0, 1, 2});
  CHECK(f.select(path::key("m").sorted_map_range_to(0, 3).map_keys()) == keys{-5, -4, -3});
  CHECK(f.select_one(path::key("m").sorted_map_range(-2, 3).view(sluice::size)) == 5);
  CHECK(f.select_one(path::key("m").key(-5)) == "-5");
  CHECK(f.select(path::key("m").key(99)).empty());
  CHECK(f.select(path::key("m").sorted_map_range_from(4, 10).all()) ==
        std::vector<std::pair<std::int64_t, std::string>>{{4, "4"}, {5, "5"}});

  f.transform(path::key("m").sorted_map_range(-2, 3).term_void());
  CHECK(f.select(path::key("m").map_keys()) == keys{-5, -4, -3, 3, 4, 5});
  CHECK(f.select_one(path::key("m").view(sluice::size)) == 6);

  CHECK_FALSE(f.transform(path::key("m").must(0).term_val("zero")));
  CHECK(f.transform(path::key("m").must(3).term_val("three")));
  CHECK(f.select_one(path::key("m").key(3)) == "three");
  f.transform(path::key("m").must(3).term_void());
  CHECK(f.select_one(path::key("m").view(sluice::size)) == 5);
}

TEST_CASE("top-level map with tuple keys drains oldest first", "[pstate]") {
  using due_key = std::tuple<std::int64_t, std::int64_t>;
  using schema = sluice::map_schema<due_key, std::string>;
  pstate_fixture<schema> f;
  const std::vector<due_key> keys{{1500, 0}, {800, 1}, {2000, 2}, {-7, 3}, {800, 4}, {std::numeric_limits<std::int64_t>::max(), 5}};
  for (const auto& k : keys) f.transform(path::key(k).term_val(std::to_string(std::get<0>(k))));

  const auto now = std::int64_t{1500};
  const due_key due_limit{now + 1, std::numeric_limits<std::int64_t>::min()};
  auto due = f.select(path::sorted_map_range_to(due_limit, 3).all());
  REQUIRE(due.size() == 3);
  CHECK(due[0].first == due_key{-7, 3});
  CHECK(due[1].first == due_key{800, 1});
  CHECK(due[2].first == due_key{800, 4});
  for (const auto& [k, v] : due) f.transform(path::must(k).term_void());
  CHECK(f.select(path::sorted_map_range_to(due_limit, 3).map_keys()) == std::vector<due_key>{{1500, 0}});
  CHECK(f.select_one(path::view(sluice::size)) == 3);
}

TEST_CASE("subindexed set: none_elem adds, all lists in key order", "[pstate]") {
  using schema = sluice::map_schema<std::string, sluice::set_schema<std::int64_t, sluice::subindexed>>;
  pstate_fixture<schema> f;
  for (std::int64_t v : {3, -1, 3, 7}) f.transform(path::key("s").none_elem().term_val(v));
  CHECK(f.select(path::key("s").all()) == std::vector<std::int64_t>{-1, 3, 7});
  CHECK(f.select_one(path::key("s").view(sluice::size)) == 3);
  f.transform(path::key("s").all().filter_pred([](std::int64_t v) { return v > 0; }).term_void());
  CHECK(f.select_one(path::key("s")) == std::set<std::int64_t>{-1});
  CHECK(f.select_one(path::key("s").view(sluice::size)) == 1);
}

TEST_CASE("plain values: null_to_val, term, absent keys", "[pstate]") {
  using schema = sluice::map_schema<std::string, std::int64_t>;
  pstate_fixture<schema> f;
  auto increment = [](std::int64_t n) { return n + 1; };
  for (int i = 0; i < 3; ++i) f.transform(path::key("a").null_to_val(0).term(increment));
  CHECK(f.select_one(path::key("a")) == 3);
  CHECK(f.select(path::key("b")).empty());
  CHECK(f.select_one(path::key("b").null_to_val(7)) == 7);
  CHECK_FALSE(f.transform(path::key("b").term(increment)));

  f.transform(path::key("c").term_val(10));
  f.transform(path::map_vals().term(increment));
  CHECK(f.select(path::all()) == std::vector<std::pair<std::string, std::int64_t>>{{"a", 4}, {"c", 11}});
  f.transform(path::all().filter_pred([](const auto& entry) { return entry.first == "c"; }).term([](auto entry) {
    entry.first = "d";
    return entry;
  }));
  CHECK(f.select(path::all()) == std::vector<std::pair<std::string, std::int64_t>>{{"a", 4}, {"d", 11}});
  CHECK(f.select(path::map_vals().view([](std::int64_t n) { return n * 2; })) == std::vector<std::int64_t>{8, 22});
}

TEST_CASE("arguments convert to the schema's key type", "[pstate]") {
  using schema = sluice::map_schema<std::int64_t, std::string>;
  pstate_fixture<schema> f;
  f.transform(path::key(3).term_val("three"));  // an int literal names the int64 key 3
  CHECK(f.select_one(path::key(std::int64_t{3})) == "three");
  CHECK(f.select_one(path::key(short{3})) == "three");
}

TEST_CASE("values stored whole: nested collections navigated in memory", "[pstate]") {
  using schema = sluice::map_schema<std::string, sluice::map_schema<std::string, sluice::list_schema<std::int64_t>>>;
  using numbers = std::vector<std::int64_t>;
  pstate_fixture<schema> f;
  f.transform(path::key("x").key("a").after_elem().term_val(1));
  f.transform(path::key("x").key("a").before_elem().term_val(0));
  f.transform(path::key("x").key("b").after_elem().term_val(5));
  CHECK(f.select_one(path::key("x").key("a")) == numbers{0, 1});
  CHECK(f.select_one(path::key("x").view(sluice::size)) == 2);
  CHECK(f.select(path::key("x").map_vals().all()) == numbers{0, 1, 5});
  CHECK(f.entries() == 1);  // one entry holds all of "x"
  f.transform(path::key("x").key("a").nth(0).term_void());
  f.transform(path::key("x").must("b").term_void());
  CHECK(f.select_one(path::key("x")) == std::map<std::string, numbers>{{"a", {1}}});
}

TEST_CASE("a top-level plain value", "[pstate]") {
  pstate_fixture<std::int64_t> f;
  CHECK(f.select(path::view([](std::int64_t n) { return n; })).empty());
  CHECK(f.select_one(path::null_to_val(0)) == 0);
  for (int i = 0; i < 3; ++i) f.transform(path::null_to_val(0).term([](std::int64_t n) { return n + 1; }));
  CHECK(f.select_one(path::null_to_val(0)) == 3);
  f.reopen();
  CHECK(f.select_one(path::view([](std::int64_t n) { return n * 10; })) == 30);
  f.transform(path::term_void());
  CHECK(f.entries() == 0);
}

TEST_CASE("scan reads a stored collection lazily, in order", "[pstate]") {
  pstate_fixture<feeds_schema> f;
  for (int i = 0; i < 1000; ++i) f.transform(path::key("alice").after_elem().term_val(std::to_string(i)));
  f.transform(path::key("bob").after_elem().term_val("b"));

  auto posts = f.partition().scan(f.env().begin_read(), path::key("alice"));
  std::size_t n = 0;
  for (const std::string& post : posts) CHECK(post == std::to_string(n++));
  CHECK(n == 1000);

  // A range-v3 view: composes, and reads only what is taken.
  auto first_three = f.partition().scan(f.env().begin_read(), path::key("alice")) | ranges::views::take(3) |
                     ranges::to<std::vector>();
  CHECK(first_three == strings{"0", "1", "2"});

  CHECK(ranges::distance(f.partition().scan(f.env().begin_read(), path::must("carol"))) == 0);
  auto users = f.partition().scan(f.env().begin_read(), sluice::path_t<>{}) |
               ranges::views::transform([](const auto& entry) { return entry.first + ":" + std::to_string(entry.second.size()); }) |
               ranges::to<std::vector>();
  CHECK(users == strings{"alice:1000", "bob:1"});
}

TEST_CASE("scan narrows to a sorted map range", "[pstate]") {
  using schema = sluice::map_schema<std::string, sluice::map_schema<std::int64_t, std::string, sluice::subindexed>>;
  pstate_fixture<schema> f;
  for (std::int64_t k = 0; k < 50; ++k) f.transform(path::key("m").key(k).term_val(std::to_string(k)));
  std::vector<std::int64_t> keys;
  for (const auto& [k, v] : f.partition().scan(f.env().begin_read(), path::key("m").sorted_map_range_from(45, 3))) {
    keys.push_back(k);
    CHECK(v == std::to_string(k));
  }
  CHECK(keys == std::vector<std::int64_t>{45, 46, 47});
}
