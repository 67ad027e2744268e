// Model-based tests: random sequences of transforms and selects run against an LMDB-backed
// partition and against plain std::map / std::vector / std::set code doing the same thing by
// hand. They must agree after every operation, after aborted transactions, and after the
// environment is closed and reopened.

#include "pstate_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using sluice::path;

namespace {

constexpr int operations_per_schema = 10'000;
constexpr int operations_between_reopens = 1'000;

struct random_source {
  std::mt19937_64 engine;
  std::int64_t between(std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>{low, high}(engine);
  }
  bool one_in(int n) { return between(1, n) == 1; }
  std::string word(std::size_t max_length = 3) {
    std::string s(static_cast<std::size_t>(between(0, static_cast<std::int64_t>(max_length))), 'a');
    for (auto& c : s) c = static_cast<char>('a' + between(0, 3));
    return s;
  }
  std::string name() { return "k" + std::to_string(between(0, 7)); }
};

/// Runs `operations` random steps: each step(txn, partition, model, rng) applies one operation to
/// both sides; check(txn, partition, model, rng) compares them. Steps are grouped in transactions
/// of random size; one in ten is aborted, and the model rolls back with it.
template <class Schema, class Model, class Step, class Check>
void run_model(std::uint64_t seed, Step step, Check check) {
  sluice_test::pstate_fixture<Schema> f;
  random_source rng{std::mt19937_64{seed}};
  Model model;
  int done = 0;
  while (done < operations_per_schema) {
    const Model before = model;
    auto txn = f.env().begin_write();
    const auto batch = rng.between(1, 20);
    for (int i = 0; i < batch && done < operations_per_schema; ++i, ++done) {
      step(txn, f.partition(), model, rng);
      check(txn, f.partition(), model, rng);
    }
    if (rng.one_in(10)) {
      txn.abort();
      model = before;
    } else {
      txn.commit();
    }
    auto read = f.env().begin_read();
    check(read, f.partition(), model, rng);
    if (done % operations_between_reopens < batch) {
      read.abort();
      f.reopen();
      auto reopened = f.env().begin_read();
      check(reopened, f.partition(), model, rng);
    }
  }
}

template <class Map>
auto entries_of(const Map& map) {
  return std::vector<std::pair<typename Map::key_type, typename Map::mapped_type>>(map.begin(), map.end());
}

}  // namespace

TEST_CASE("model: map of subindexed lists", "[pstate][model]") {
  using schema = sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>;
  using model_type = std::map<std::string, std::vector<std::string>>;
  auto step = [](auto& txn, const auto& ps, model_type& m, random_source& rng) {
    const std::string k = rng.name();
    const std::string v = rng.word();
    const auto found = m.find(k);
    auto* list = found == m.end() ? nullptr : &found->second;
    const auto size = static_cast<std::int64_t>(list ? list->size() : 0);
    const auto i = rng.between(-1, size + 1);
    const bool in_range = list && i >= 0 && i < size;
    switch (rng.between(0, 8)) {
      case 0: case 1:
        ps.transform(txn, path::key(k).after_elem().term_val(v));
        m[k].push_back(v);
        break;
      case 2:
        ps.transform(txn, path::key(k).before_elem().term_val(v));
        m[k].insert(m[k].begin(), v);
        break;
      case 3:
        ps.transform(txn, path::key(k).nth(i).term_val(v));
        if (in_range) (*list)[static_cast<std::size_t>(i)] = v;
        break;
      case 4:
        ps.transform(txn, path::key(k).nth(i).term_void());
        if (in_range) list->erase(list->begin() + i);
        break;
      case 5:
        ps.transform(txn, path::key(k).first().term_void());
        if (list && !list->empty()) list->erase(list->begin());
        break;
      case 6:
        ps.transform(txn, path::key(k).last().term([](const std::string& s) { return s + "!"; }));
        if (list && !list->empty()) list->back() += "!";
        break;
      case 7:
        ps.transform(txn, path::key(k).all().filter_pred([](const std::string& s) { return s.starts_with("a"); }).term_void());
        if (list) std::erase_if(*list, [](const std::string& s) { return s.starts_with("a"); });
        break;
      default:
        if (rng.one_in(4)) {
          ps.transform(txn, path::key(k).term_void());
          m.erase(k);
        }
    }
  };
  auto check = [](auto& txn, const auto& ps, const model_type& m, random_source& rng) {
    REQUIRE(ps.select(txn, path::all()) == entries_of(m));
    const std::string k = rng.name();
    const auto found = m.find(k);
    const std::vector<std::string> list = found == m.end() ? std::vector<std::string>{} : found->second;
    REQUIRE(ps.select_one(txn, path::key(k).view(sluice::size)) == list.size());
    REQUIRE(ps.select(txn, path::key(k).all()) == list);
    const auto i = rng.between(0, static_cast<std::int64_t>(list.size()));
    const auto nth = ps.select(txn, path::key(k).nth(i));
    REQUIRE(nth.size() == (std::cmp_less(i, list.size()) ? 1u : 0u));
    if (!nth.empty()) REQUIRE(nth.front() == list[static_cast<std::size_t>(i)]);
    REQUIRE(ps.select(txn, path::key(k).last()) ==
            (list.empty() ? std::vector<std::string>{} : std::vector<std::string>{list.back()}));
  };
  run_model<schema, model_type>(1, step, check);
}

TEST_CASE("model: map of subindexed sorted maps", "[pstate][model]") {
  using schema = sluice::map_schema<std::int64_t, sluice::map_schema<std::string, std::int64_t, sluice::subindexed>>;
  using inner = std::map<std::string, std::int64_t>;
  using model_type = std::map<std::int64_t, inner>;
  auto step = [](auto& txn, const auto& ps, model_type& m, random_source& rng) {
    const std::int64_t a = rng.between(-3, 3);
    const std::string b = rng.word(2);
    const auto found = m.find(a);
    auto* sub = found == m.end() ? nullptr : &found->second;
    auto increment = [](std::int64_t n) { return n + 1; };
    switch (rng.between(0, 6)) {
      case 0: case 1: {
        const auto v = rng.between(-100, 100);
        ps.transform(txn, path::key(a).key(b).term_val(v));
        m[a][b] = v;
        break;
      }
      case 2:
        ps.transform(txn, path::key(a).key(b).null_to_val(0).term(increment));
        m[a][b] += 1;
        break;
      case 3:
        ps.transform(txn, path::key(a).must(b).term_void());
        if (sub) sub->erase(b);
        break;
      case 4: {
        const std::string from = rng.word(2), to = rng.word(2);
        ps.transform(txn, path::key(a).sorted_map_range(from, to).term_void());
        if (sub && from < to) sub->erase(sub->lower_bound(from), sub->lower_bound(to));
        break;
      }
      case 5:
        ps.transform(txn, path::key(a).map_vals().term(increment));
        if (sub) for (auto& entry : *sub) entry.second += 1;
        break;
      default:
        if (rng.one_in(4)) {
          ps.transform(txn, path::key(a).term_void());
          m.erase(a);
        }
    }
  };
  auto check = [](auto& txn, const auto& ps, const model_type& m, random_source& rng) {
    REQUIRE(ps.select(txn, path::all()) == entries_of(m));
    const std::int64_t a = rng.between(-3, 3);
    const auto found = m.find(a);
    const inner sub = found == m.end() ? inner{} : found->second;
    REQUIRE(ps.select_one(txn, path::key(a).view(sluice::size)) == sub.size());
    const std::string from = rng.word(2);
    const auto max = rng.between(0, 5);
    std::vector<std::pair<std::string, std::int64_t>> expected_from;
    for (auto it = sub.lower_bound(from); it != sub.end() && std::cmp_less(expected_from.size(), max); ++it)
      expected_from.push_back(*it);
    REQUIRE(ps.select(txn, path::key(a).sorted_map_range_from(from, max).all()) == expected_from);
    std::vector<std::string> expected_to;
    for (auto it = sub.begin(); it != sub.lower_bound(from) && std::cmp_less(expected_to.size(), max); ++it)
      expected_to.push_back(it->first);
    REQUIRE(ps.select(txn, path::key(a).sorted_map_range_to(from, max).map_keys()) == expected_to);
  };
  run_model<schema, model_type>(2, step, check);
}

TEST_CASE("model: map of subindexed sets", "[pstate][model]") {
  using schema = sluice::map_schema<std::string, sluice::set_schema<std::int64_t, sluice::subindexed>>;
  using model_type = std::map<std::string, std::set<std::int64_t>>;
  auto step = [](auto& txn, const auto& ps, model_type& m, random_source& rng) {
    const std::string k = rng.name();
    const auto v = rng.between(-20, 20);
    const auto found = m.find(k);
    switch (rng.between(0, 3)) {
      case 0: case 1:
        ps.transform(txn, path::key(k).none_elem().term_val(v));
        m[k].insert(v);
        break;
      case 2:
        ps.transform(txn, path::key(k).all().filter_pred([v](std::int64_t x) { return x <= v; }).term_void());
        if (found != m.end()) std::erase_if(found->second, [v](std::int64_t x) { return x <= v; });
        break;
      default:
        if (rng.one_in(3)) {
          ps.transform(txn, path::key(k).term_void());
          m.erase(k);
        }
    }
  };
  auto check = [](auto& txn, const auto& ps, const model_type& m, random_source& rng) {
    REQUIRE(ps.select(txn, path::all()) == entries_of(m));
    const std::string k = rng.name();
    const auto found = m.find(k);
    REQUIRE(ps.select_one(txn, path::key(k).view(sluice::size)) == (found == m.end() ? 0 : found->second.size()));
  };
  run_model<schema, model_type>(3, step, check);
}

TEST_CASE("model: top-level map with tuple keys, drained oldest first", "[pstate][model]") {
  using due_key = std::tuple<std::int64_t, std::int64_t>;
  using schema = sluice::map_schema<due_key, std::string>;
  using model_type = std::map<due_key, std::string>;
  std::int64_t seq = 0;
  auto step = [&seq](auto& txn, const auto& ps, model_type& m, random_source& rng) {
    if (rng.between(0, 2) != 0) {
      const due_key k{rng.between(-50, 50), seq++};
      const std::string v = rng.word();
      ps.transform(txn, path::key(k).term_val(v));
      m[k] = v;
      return;
    }
    const due_key limit{rng.between(-50, 50), std::numeric_limits<std::int64_t>::min()};
    const auto max = rng.between(1, 10);
    for (const auto& [k, v] : ps.select(txn, path::sorted_map_range_to(limit, max).all())) {
      REQUIRE(!m.empty());
      REQUIRE(m.begin()->first == k);  // oldest first
      REQUIRE(m.begin()->second == v);
      ps.transform(txn, path::must(k).term_void());
      m.erase(m.begin());
    }
  };
  auto check = [](auto& txn, const auto& ps, const model_type& m, random_source&) {
    REQUIRE(ps.select(txn, path::all()) == entries_of(m));
  };
  run_model<schema, model_type>(4, step, check);
}

TEST_CASE("model: values stored whole (a map of lists per key)", "[pstate][model]") {
  using schema = sluice::map_schema<std::string, sluice::map_schema<std::string, sluice::list_schema<std::int64_t>>>;
  using model_type = std::map<std::string, std::map<std::string, std::vector<std::int64_t>>>;
  auto step = [](auto& txn, const auto& ps, model_type& m, random_source& rng) {
    const std::string a = rng.name(), b = rng.word(1);
    const auto v = rng.between(0, 9);
    auto found = m.find(a);
    switch (rng.between(0, 4)) {
      case 0: case 1:
        ps.transform(txn, path::key(a).key(b).after_elem().term_val(v));
        m[a][b].push_back(v);
        break;
      case 2:
        ps.transform(txn, path::key(a).key(b).before_elem().term_val(v));
        m[a][b].insert(m[a][b].begin(), v);
        break;
      case 3:
        ps.transform(txn, path::key(a).must(b).all().filter_pred([v](std::int64_t x) { return x < v; }).term_void());
        if (found != m.end())
          if (auto list = found->second.find(b); list != found->second.end())
            std::erase_if(list->second, [v](std::int64_t x) { return x < v; });
        break;
      default:
        ps.transform(txn, path::key(a).must(b).term_void());
        if (found != m.end()) {
          found->second.erase(b);
          if (found->second.empty()) m.erase(found);  // a whole value that becomes empty stays
        }
    }
  };
  auto check = [](auto& txn, const auto& ps, const model_type& m, random_source&) {
    auto stored = ps.select(txn, path::all());
    std::erase_if(stored, [](const auto& entry) { return entry.second.empty(); });
    REQUIRE(stored == entries_of(m));
  };
  run_model<schema, model_type>(5, step, check);
}

TEST_CASE("model: subindexed lists inside a subindexed map", "[pstate][model]") {
  using schema = sluice::map_schema<std::string,
                                    sluice::map_schema<std::int64_t, sluice::list_schema<std::string, sluice::subindexed>, sluice::subindexed>>;
  using inner = std::map<std::int64_t, std::vector<std::string>>;
  using model_type = std::map<std::string, inner>;
  auto step = [](auto& txn, const auto& ps, model_type& m, random_source& rng) {
    const std::string a = rng.name();
    const auto b = rng.between(0, 5);
    const std::string v = rng.word();
    auto found = m.find(a);
    switch (rng.between(0, 4)) {
      case 0: case 1:
        ps.transform(txn, path::key(a).key(b).after_elem().term_val(v));
        m[a][b].push_back(v);
        break;
      case 2:
        ps.transform(txn, path::key(a).must(b).first().term_void());
        if (found != m.end())
          if (auto list = found->second.find(b); list != found->second.end() && !list->second.empty())
            list->second.erase(list->second.begin());
        break;
      case 3:
        ps.transform(txn, path::key(a).must(b).term_void());
        if (found != m.end()) found->second.erase(b);
        break;
      default: {
        const auto from = rng.between(0, 5), to = rng.between(0, 5);
        ps.transform(txn, path::key(a).sorted_map_range(from, to).term_void());
        if (found != m.end() && from < to) found->second.erase(found->second.lower_bound(from), found->second.lower_bound(to));
      }
    }
  };
  auto check = [](auto& txn, const auto& ps, const model_type& m, random_source& rng) {
    REQUIRE(ps.select(txn, path::all()) == entries_of(m));
    const std::string a = rng.name();
    const auto found = m.find(a);
    REQUIRE(ps.select_one(txn, path::key(a).view(sluice::size)) == (found == m.end() ? 0 : found->second.size()));
    const auto b = rng.between(0, 5);
    std::size_t expected = 0;
    if (found != m.end())
      if (auto list = found->second.find(b); list != found->second.end()) expected = list->second.size();
    REQUIRE(ps.select_one(txn, path::key(a).key(b).view(sluice::size)) == expected);
  };
  run_model<schema, model_type>(6, step, check);
}
