// The examples of docs/reference.md and docs/semantics.md. Each region between
// `// snippet: NAME` and `// end snippet: NAME` is copied into the documents verbatim
// (scripts/check_doc_snippets.py checks it), and each runs here against a temporary directory,
// its results asserted, so that the documents cannot drift from what sluice does.

#include "runtime_tsan.hpp"
#include "temp_dir.hpp"

#include <sluice/helpers/topology_scheduler.hpp>
#include <sluice/sluice.hpp>

#include <boost/hana/define_struct.hpp>
#include <catch2/catch.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/take.hpp>

#include <lmdb.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

using namespace sluice::literals;
using sluice::path;
using strings = std::vector<std::string>;
using ints = std::vector<std::int64_t>;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t test_map_size = std::size_t{64} << 20;

// snippet: record
struct Post {
  BOOST_HANA_DEFINE_STRUCT(Post,
    (std::string, user),
    (std::string, text));
};
// end snippet: record

// snippet: schemas
using counts_schema = sluice::map_schema<std::string, std::int64_t>;
using feeds_schema = sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>;
using tags_schema = sluice::map_schema<std::string, sluice::set_schema<std::string, sluice::subindexed>>;
using history_schema = sluice::map_schema<std::string, sluice::map_schema<std::int64_t, std::string, sluice::subindexed>>;
using profiles_schema = sluice::map_schema<std::string, sluice::map_schema<std::string, std::vector<std::int64_t>>>;
using total_schema = std::int64_t;
// end snippet: schemas

// snippet: declarations
constexpr auto posts = sluice::depot<"*posts", Post>(sluice::hash_by<&Post::user>);
constexpr auto notes = sluice::depot<"*notes", std::string>(sluice::random_partition);
constexpr auto by_length = sluice::depot<"*by-length", std::string>(
    [](const std::string& s, std::uint32_t tasks) { return static_cast<std::uint32_t>(s.size() % tasks); });
constexpr auto tick = sluice::tick_depot<"*tick">(milliseconds{1000});
constexpr auto counts = sluice::pstate<"$$counts", counts_schema>;
constexpr auto feeds = sluice::pstate<"$$feeds", feeds_schema>;
// end snippet: declarations
constexpr auto rounds = sluice::depot<"*rounds", std::int64_t>(sluice::random_partition);

constexpr auto increment = [](std::int64_t n) { return n + 1; };
std::atomic<int> posts_seen{0};

// snippet: emitter
void split_words(sluice::emitter<std::string>& emit, const std::string& text) {
  std::istringstream words{text};
  for (std::string word; words >> word;) emit(word);
}
// end snippet: emitter

// snippet: module
struct CountModule {
  static constexpr std::string_view name = "counts";
  static constexpr auto words = sluice::depot<"*words", std::string>(sluice::random_partition);
  static constexpr auto counts = sluice::pstate<"$$counts", counts_schema>;

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(words);
    auto& core = topologies.stream("core");
    core.declare(counts);
    core.add(sluice::source(words).out("*word"_v)
        .hash_partition("*word"_v)
        .local_transform(counts, path::key("*word"_v).null_to_val(0).term(increment)));
  }
};
// end snippet: module

// snippet: macro-block
template <class TextVar>
auto count_words_of(TextVar text) {
  constexpr auto word = sluice::gen_var<"*word">();  // never the caller's "*word"
  return sluice::block()
      .each(split_words, text).out(word)
      .local_transform(counts, path::key(word).null_to_val(0).term(increment));
}
// end snippet: macro-block

/// The module the op examples run in: the declarations above, and the chains `build` adds.
template <class Build>
struct reference_module {
  static constexpr std::string_view name = "reference";
  Build build;

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(posts, notes, by_length, rounds, tick);
    auto& core = topologies.stream("core");
    core.declare(counts);
    core.declare(feeds);
    build(core);
  }
};

sluice::cluster_options test_options() {
  sluice::cluster_options options;
  options.simulated_clock = true;
  options.simulated_start_millis = 1'000'000;
  options.storage.map_size = test_map_size;
  options.storage.durable = false;
  return options;
}

/// A cluster on a temporary directory, on the simulated clock.
struct reference_cluster {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), test_options()};

  template <class Build>
  void launch(Build build, std::uint32_t tasks = 1) {
    cluster.launch(sluice::launch_options{.tasks = tasks, .threads = std::min(tasks, 2u)}, reference_module<Build>{build});
  }
};

/// A PState partition in a fresh environment: `transform` and `select` each run in a transaction
/// of their own (pstate_partition::transform and ::select).
template <class Schema>
class scratch_pstate {
 public:
  template <class Path>
  bool transform(const Path& p) {
    auto txn = env_->begin_write();
    const bool changed = partition_.transform(txn, p);
    txn.commit();
    return changed;
  }
  template <class Path>
  auto select(const Path& p) const {
    auto txn = env_->begin_read();
    return partition_.select(txn, p);
  }
  template <class Path>
  auto select_one(const Path& p) const {
    auto txn = env_->begin_read();
    return partition_.select_one(txn, p);
  }

 private:
  sluice::pstate_partition<Schema> open() {
    auto txn = env_->begin_write();
    auto partition = sluice::pstate_partition<Schema>::open(*env_, txn, "$$scratch");
    txn.commit();
    return partition;
  }

  sluice_test::temp_dir dir_;
  std::shared_ptr<sluice::storage::environment> env_ =
      sluice::storage::open_environment(dir_.path(), {.map_size = test_map_size, .durable = false});
  sluice::pstate_partition<Schema> partition_ = open();
};

}  // namespace

// ---- declarations and modules -------------------------------------------------------------------

TEST_CASE("declarations carry their names and types", "[docs]") {
  STATIC_REQUIRE(std::is_same_v<decltype(posts)::record_type, Post>);
  STATIC_REQUIRE(std::is_same_v<decltype(tick)::record_type, std::int64_t>);
  STATIC_REQUIRE(std::is_same_v<decltype(feeds)::schema_type, feeds_schema>);
  // snippet: value-of
  static_assert(std::is_same_v<sluice::schema::value_of_t<feeds_schema>,
                               std::map<std::string, std::vector<std::string>>>);
  // end snippet: value-of
  REQUIRE(posts.name == "*posts");
  REQUIRE(tick.interval == milliseconds{1000});
  REQUIRE(feeds.name == "$$feeds");
}

TEST_CASE("depot partitioners pick the task", "[docs]") {
  reference_cluster rc;
  rc.launch([](sluice::stream_topology&) {}, 4);
  // snippet: partitioners
  const auto by_user = rc.cluster.depot(posts);
  REQUIRE(by_user.task_of({"alice", "hi"}) == sluice::codec::key_hash(std::string{"alice"}) % 4);
  REQUIRE(rc.cluster.depot(by_length).task_of("abcdef") == 6 % 4);
  REQUIRE(rc.cluster.depot(notes).task_of("x") < 4);  // a random task, drawn per call
  // end snippet: partitioners
  REQUIRE(by_user.name() == "*posts");
}

TEST_CASE("a module is launched and used through clients", "[docs]") {
  sluice_test::temp_dir dir;
  // snippet: cluster-launch
  sluice::cluster cluster{dir.path(), test_options()};
  cluster.launch<CountModule>({.tasks = 4, .threads = 2});
  const auto words = cluster.depot(CountModule::words);
  words.append("apple");
  words.append("apple");
  REQUIRE(cluster.pstate(CountModule::counts).select_one(path::key("apple")) == 2);
  // end snippet: cluster-launch
  REQUIRE(std::filesystem::is_directory(dir.path() / "counts" / "task-3"));
  // snippet: cluster-directory
  REQUIRE(cluster.directory() == dir.path());
  // end snippet: cluster-directory
}

TEST_CASE("a module plan can be made and launched apart", "[docs]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), test_options()};
  // snippet: module-plan
  sluice::dataflow::module_plan plan = sluice::dataflow::make_module_plan<CountModule>();
  REQUIRE(plan.name == "counts");
  REQUIRE(plan.depots.at(0).name == "*words");
  REQUIRE(plan.depots.at(0).stored_type == "string");  // how its records are encoded
  cluster.launch(std::move(plan), {.tasks = 2, .threads = 1});
  // end snippet: module-plan
  cluster.depot(CountModule::words).append("pear");
  REQUIRE(cluster.pstate(CountModule::counts).select_one(path::key("pear")) == 1);
}

namespace shop {
struct OrdersModule {
  void define(sluice::setup& setup, sluice::topologies&) const { setup.declare(notes); }
};
}  // namespace shop

TEST_CASE("a module without a name is named after its type", "[docs]") {
  // snippet: module-name
  REQUIRE(sluice::dataflow::module_name<CountModule>() == "counts");
  REQUIRE(sluice::dataflow::module_name<shop::OrdersModule>() == "shop__OrdersModule");
  // end snippet: module-name
}

TEST_CASE("definition errors are thrown by launch, before anything is created", "[docs]") {
  struct twice {
    void define(sluice::setup& setup, sluice::topologies&) const { setup.declare(posts, posts); }
  };
  struct undeclared {
    void define(sluice::setup& setup, sluice::topologies& topologies) const {
      setup.declare(posts);
      topologies.stream("core").add(sluice::source(posts).out("*post"_v)
          .local_transform(counts, path::key("x").term_val(1)));
    }
  };
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), test_options()};
  // snippet: definition-error
  REQUIRE_THROWS_AS(cluster.launch<twice>({}), sluice::definition_error);
  REQUIRE_THROWS_WITH(cluster.launch<undeclared>({}),
                      Catch::Contains("uses PState $$counts, which it does not declare"));
  // end snippet: definition-error
  REQUIRE(std::filesystem::directory_iterator{dir.path()}->path().filename() == "LOCK");
}

// ---- ops ----------------------------------------------------------------------------------------

TEST_CASE("source, out, get, each and local_transform", "[docs]") {
  reference_cluster rc;
  rc.launch([](sluice::stream_topology& core) {
    // snippet: op-source
    core.add(sluice::source(posts).out("*post"_v)
        .each(sluice::get<"user">, "*post"_v).out("*user"_v)
        .each(sluice::get<"text">, "*post"_v).out("*text"_v)
        .local_transform(feeds, path::key("*user"_v).after_elem().term_val("*text"_v)));
    // end snippet: op-source
  });
  rc.cluster.depot(posts).append({"alice", "hello"});
  rc.cluster.depot(posts).append({"alice", "again"});
  REQUIRE(rc.cluster.pstate(feeds).select(path::key("alice").all()) == strings{"hello", "again"});
}

TEST_CASE("each: a value, nothing, or many values", "[docs]") {
  reference_cluster rc;
  posts_seen = 0;
  rc.launch([](sluice::stream_topology& core) {
    // snippet: op-each
    core.add(sluice::source(posts).out("*post"_v)
        .each([](const Post&) { ++posts_seen; }, "*post"_v)                 // returns void
        .each([](const Post& p) { return p.text.size(); }, "*post"_v).out("*length"_v)
        .each(sluice::get<"text">, "*post"_v).out("*text"_v)
        .each(split_words, "*text"_v).out("*word"_v)                         // emits many
        .local_transform(counts, path::key("*word"_v).term_val("*length"_v)));
    // end snippet: op-each
  });
  rc.cluster.depot(posts).append({"u", "to be or not"});
  REQUIRE(posts_seen.load() == 1);
  const auto c = rc.cluster.pstate(counts);
  REQUIRE(c.select(0, path::map_keys()) == strings{"be", "not", "or", "to"});
  REQUIRE(c.select_one(path::key("not")) == 12);
}

TEST_CASE("keep_true and if_true", "[docs]") {
  reference_cluster rc;
  rc.launch([](sluice::stream_topology& core) {
    // snippet: op-keep-true
    core.add(sluice::source(notes).out("*note"_v)
        .each([](const std::string& n) { return !n.empty(); }, "*note"_v).out("*non-empty"_v)
        .keep_true("*non-empty"_v)
        .local_transform(counts, path::key("non-empty").null_to_val(0).term(increment)));
    // end snippet: op-keep-true
    // snippet: op-if-true
    core.add(sluice::source(notes).out("*note"_v)
        .each([](const std::string& n) { return n.ends_with("!"); }, "*note"_v).out("*loud"_v)
        .if_true("*loud"_v,
            sluice::block().local_transform(counts, path::key("loud").null_to_val(0).term(increment)),
            sluice::block().local_transform(counts, path::key("calm").null_to_val(0).term(increment)))
        .local_transform(counts, path::key("all").null_to_val(0).term(increment)));
    // end snippet: op-if-true
  });
  for (const char* note : {"hi!", "", "hey", "ho!"}) rc.cluster.depot(notes).append(note);
  REQUIRE(rc.cluster.pstate(counts).select(0, path::all()) ==
          std::vector<std::pair<std::string, std::int64_t>>{{"all", 4}, {"calm", 2}, {"loud", 2}, {"non-empty", 3}});
}

TEST_CASE("local_select emits what a path finds on the current task", "[docs]") {
  reference_cluster rc;
  rc.launch([](sluice::stream_topology& core) {
    // snippet: op-local-select
    core.add(sluice::source(posts).out("*post"_v)
        .each(sluice::get<"user">, "*post"_v).out("*user"_v)
        .each(sluice::get<"text">, "*post"_v).out("*text"_v)
        .local_transform(feeds, path::key("*user"_v).after_elem().term_val("*text"_v))
        .local_select(feeds, path::key("*user"_v).view(sluice::size)).out("*posted"_v)
        .local_transform(counts, path::key("*user"_v).term_val("*posted"_v)));
    // end snippet: op-local-select
  });
  rc.cluster.depot(posts).append({"bo", "a"});
  rc.cluster.depot(posts).append({"bo", "b"});
  REQUIRE(rc.cluster.pstate(counts).select_one(path::key("bo")) == 2);
}

TEST_CASE("hash_partition, all_partition and direct_partition", "[docs]") {
  reference_cluster rc;
  rc.launch(
      [](sluice::stream_topology& core) {
        // snippet: op-hash-partition
        core.add(sluice::source(notes).out("*note"_v)
            .each(split_words, "*note"_v).out("*word"_v)
            .hash_partition("*word"_v)  // to the task owning "*word"
            .local_transform(counts, path::key("*word"_v).null_to_val(0).term(increment)));
        // end snippet: op-hash-partition
        // snippet: op-all-partition
        core.add(sluice::source(posts).out("*post"_v)
            .each(sluice::get<"text">, "*post"_v).out("*text"_v)
            .all_partition()  // the rest runs once on every task
            .local_transform(feeds, path::key("broadcast").after_elem().term_val("*text"_v)));
        // end snippet: op-all-partition
        // snippet: op-direct-partition
        core.add(sluice::source(rounds).out("*n"_v)
            .each([](std::int64_t n) { return n % 4; }, "*n"_v).out("*task"_v)
            .direct_partition("*task"_v)  // to task number "*task"
            .local_transform(counts, path::key("direct").term_val("*n"_v)));
        // end snippet: op-direct-partition
      },
      4);
  const auto c = rc.cluster.pstate(counts);
  rc.cluster.depot(notes).append("a b a");
  REQUIRE(c.select_one(path::key("a")) == 2);  // the client routes key("a") to the task owning "a"
  REQUIRE(c.select((c.task_of("a") + 1) % 4, path::key("a")).empty());
  rc.cluster.depot(posts).append({"u", "everyone"});
  for (std::uint32_t t = 0; t < 4; ++t)
    REQUIRE(rc.cluster.pstate(feeds).select(t, path::key("broadcast").all()) == strings{"everyone"});
  rc.cluster.depot(rounds).append(7);
  REQUIRE(c.select_one(3, path::key("direct")) == 7);
  // A direct_partition to a task that does not exist fails that append.
  REQUIRE_THROWS_AS(rc.cluster.depot(rounds).append(-1), std::out_of_range);
}

TEST_CASE("macro splices a block; gen_var keeps its variables apart", "[docs]") {
  reference_cluster rc;
  rc.launch([](sluice::stream_topology& core) {
    // snippet: op-macro
    core.add(sluice::source(posts).out("*post"_v)
        .each(sluice::get<"text">, "*post"_v).out("*word"_v)
        .local_transform(feeds, path::key("texts").after_elem().term_val("*word"_v))
        .macro(count_words_of("*word"_v)));
    // end snippet: op-macro
  });
  rc.cluster.depot(posts).append({"u", "red red green"});
  REQUIRE(rc.cluster.pstate(counts).select(0, path::all()) ==
          std::vector<std::pair<std::string, std::int64_t>>{{"green", 1}, {"red", 2}});
  REQUIRE(rc.cluster.pstate(feeds).select(path::key("texts").all()) == strings{"red red green"});
}

TEST_CASE("continue_later runs the rest again in a new event", "[docs]") {
  reference_cluster rc;
  rc.launch([](sluice::stream_topology& core) {
    // snippet: op-continue-later
    core.add(sluice::source(rounds).out("*n"_v)
        .each([] { return 0; }).out("*task"_v)
        .direct_partition("*task"_v)  // continue_later resumes right after this
        .local_transform(counts, path::key("rounds").null_to_val(0).term(increment))
        .local_select(counts, path::key("rounds")).out("*done"_v)
        .each([](std::int64_t done, std::int64_t n) { return done < n; }, "*done"_v, "*n"_v).out("*more"_v)
        .if_true("*more"_v, sluice::block().continue_later()));
    // end snippet: op-continue-later
  });
  rc.cluster.depot(rounds).append(3);  // the ack waits for the rounds continued later too
  REQUIRE(rc.cluster.pstate(counts).select_one(path::key("rounds")) == 3);
}

TEST_CASE("current_time_millis and tick sources read the cluster clock", "[docs]") {
  reference_cluster rc;
  rc.launch([](sluice::stream_topology& core) {
    // snippet: op-current-time
    core.add(sluice::source(posts).out("*post"_v)
        .each(sluice::current_time_millis).out("*now"_v)
        .local_transform(counts, path::key("last post at").term_val("*now"_v)));
    // end snippet: op-current-time
    // snippet: op-tick
    core.add(sluice::source(tick).out("*time"_v)
        .local_transform(counts, path::key("last tick at").term_val("*time"_v)));
    // end snippet: op-tick
  });
  rc.cluster.depot(posts).append({"u", "x"});
  REQUIRE(rc.cluster.pstate(counts).select_one(path::key("last post at")) == 1'000'000);
  rc.cluster.advance_time(milliseconds{2500});
  REQUIRE(rc.cluster.pstate(counts).select_one(path::key("last tick at")) == 1'002'500);
}

// ---- navigators ---------------------------------------------------------------------------------

TEST_CASE("key, must, term_val, term_void", "[docs]") {
  scratch_pstate<counts_schema> ps;
  // snippet: nav-key
  ps.transform(path::key("a").term_val(1));  // creates "a"
  REQUIRE(ps.select(path::key("a")) == ints{1});
  REQUIRE(ps.select(path::key("b")).empty());  // an absent plain value: nothing
  // end snippet: nav-key
  // snippet: nav-must
  REQUIRE_FALSE(ps.transform(path::must("b").term_val(2)));  // stops: "b" is absent
  REQUIRE(ps.transform(path::must("a").term_val(2)));
  REQUIRE(ps.select_one(path::must("a")) == 2);
  // end snippet: nav-must
  // snippet: nav-term-void
  ps.transform(path::key("a").term_void());
  REQUIRE(ps.select(path::map_keys()).empty());
  // end snippet: nav-term-void
}

TEST_CASE("term and null_to_val", "[docs]") {
  scratch_pstate<counts_schema> ps;
  // snippet: nav-term
  REQUIRE_FALSE(ps.transform(path::key("n").term(increment)));  // nothing to apply it to
  ps.transform(path::key("n").null_to_val(0).term(increment));
  ps.transform(path::key("n").null_to_val(0).term(increment));
  REQUIRE(ps.select_one(path::key("n")) == 2);
  // end snippet: nav-term
  // snippet: nav-null-to-val
  REQUIRE(ps.select_one(path::key("absent").null_to_val(-1)) == -1);
  // end snippet: nav-null-to-val
}

TEST_CASE("lists: after_elem, before_elem, nth, first, last", "[docs]") {
  scratch_pstate<feeds_schema> ps;
  // snippet: nav-elem
  ps.transform(path::key("f").after_elem().term_val("b"));   // append
  ps.transform(path::key("f").after_elem().term_val("c"));
  ps.transform(path::key("f").before_elem().term_val("a"));  // prepend
  REQUIRE(ps.select(path::key("f").all()) == strings{"a", "b", "c"});
  // end snippet: nav-elem
  // snippet: nav-nth
  REQUIRE(ps.select_one(path::key("f").nth(1)) == "b");
  REQUIRE(ps.select_one(path::key("f").first()) == "a");
  REQUIRE(ps.select_one(path::key("f").last()) == "c");
  REQUIRE(ps.select(path::key("f").nth(3)).empty());  // out of range: nothing
  ps.transform(path::key("f").nth(1).term_void());    // removes the element
  REQUIRE(ps.select(path::key("f").all()) == strings{"a", "c"});
  // end snippet: nav-nth
}

TEST_CASE("all, map_keys, map_vals", "[docs]") {
  scratch_pstate<counts_schema> ps;
  ps.transform(path::key("x").term_val(1));
  ps.transform(path::key("y").term_val(2));
  // snippet: nav-all
  REQUIRE(ps.select(path::all()) == std::vector<std::pair<std::string, std::int64_t>>{{"x", 1}, {"y", 2}});
  REQUIRE(ps.select(path::map_keys()) == strings{"x", "y"});
  ps.transform(path::map_vals().term(increment));
  REQUIRE(ps.select(path::map_vals()) == ints{2, 3});
  // end snippet: nav-all
  // snippet: nav-all-rename
  ps.transform(path::all().term([](std::pair<std::string, std::int64_t> e) { return std::pair{e.first + "!", e.second}; }));
  REQUIRE(ps.select(path::map_keys()) == strings{"x!", "y!"});
  // end snippet: nav-all-rename
}

TEST_CASE("sets: none_elem", "[docs]") {
  scratch_pstate<tags_schema> ps;
  // snippet: nav-none-elem
  for (const char* tag : {"red", "blue", "red"}) ps.transform(path::key("t").none_elem().term_val(tag));
  REQUIRE(ps.select(path::key("t").all()) == strings{"blue", "red"});
  REQUIRE(ps.select_one(path::key("t").view(sluice::size)) == 2);
  // end snippet: nav-none-elem
}

TEST_CASE("sorted map ranges", "[docs]") {
  scratch_pstate<history_schema> ps;
  for (std::int64_t at : {10, 20, 30, 40, 50}) ps.transform(path::key("h").key(at).term_val(std::to_string(at)));
  // snippet: nav-sorted-map-range
  REQUIRE(ps.select(path::key("h").sorted_map_range(20, 40).map_keys()) == ints{20, 30});
  REQUIRE(ps.select(path::key("h").sorted_map_range_from(25, 2).map_keys()) == ints{30, 40});
  REQUIRE(ps.select(path::key("h").sorted_map_range_to(45, 2).map_keys()) == ints{10, 20});
  ps.transform(path::key("h").sorted_map_range(0, 30).term_void());
  REQUIRE(ps.select(path::key("h").map_keys()) == ints{30, 40, 50});
  // end snippet: nav-sorted-map-range
}

TEST_CASE("view, size and filter_pred", "[docs]") {
  scratch_pstate<feeds_schema> ps;
  for (const char* post : {"a", "bb", "ccc"}) ps.transform(path::key("f").after_elem().term_val(post));
  // snippet: nav-view
  REQUIRE(ps.select_one(path::key("f").view(sluice::size)) == 3);  // the stored count, nothing loaded
  REQUIRE(ps.select(path::key("f").all().view([](const std::string& s) { return s.size(); })) ==
          std::vector<std::size_t>{1, 2, 3});
  // end snippet: nav-view
  // snippet: nav-filter-pred
  const auto longer_than_one = [](const std::string& s) { return s.size() > 1; };
  REQUIRE(ps.select(path::key("f").all().filter_pred(longer_than_one)) == strings{"bb", "ccc"});
  ps.transform(path::key("f").all().filter_pred(longer_than_one).term_void());
  REQUIRE(ps.select(path::key("f").all()) == strings{"a"});
  // end snippet: nav-filter-pred
}

TEST_CASE("values stored whole, and a plain top-level value", "[docs]") {
  scratch_pstate<profiles_schema> ps;
  // snippet: nav-whole
  ps.transform(path::key("ann").key("scores").term_val(std::vector<std::int64_t>{3, 1}));
  REQUIRE(ps.select_one(path::key("ann").key("scores")) == ints{3, 1});
  REQUIRE(ps.select_one(path::key("ann")) == std::map<std::string, ints>{{"scores", {3, 1}}});
  // end snippet: nav-whole
  scratch_pstate<total_schema> total;
  // snippet: nav-plain
  total.transform(path::null_to_val(0).term(increment));
  REQUIRE(total.select_one(path::view([](std::int64_t n) { return n * 10; })) == 10);
  // end snippet: nav-plain
}

TEST_CASE("select_one wants exactly one value", "[docs]") {
  scratch_pstate<feeds_schema> ps;
  ps.transform(path::key("f").after_elem().term_val("a"));
  ps.transform(path::key("f").after_elem().term_val("b"));
  // snippet: select-error
  REQUIRE_THROWS_AS(ps.select_one(path::key("f").all()), sluice::select_error);  // found 2
  try {
    static_cast<void>(ps.select_one(path::key("g").first()));
    FAIL("select_one found a value where there is none");
  } catch (const sluice::select_error& e) {
    REQUIRE(e.found() == 0);
  }
  // end snippet: select-error
}

TEST_CASE("pstate_partition on an environment of one's own", "[docs]") {
  sluice_test::temp_dir dir;
  // snippet: pstate-partition
  auto env = sluice::storage::open_environment(dir.path(), {.map_size = std::size_t{64} << 20});
  auto txn = env->begin_write();
  const auto partition = sluice::pstate_partition<feeds_schema>::open(*env, txn, "$$feeds");
  REQUIRE(partition.transform(txn, path::key("alice").after_elem().term_val("hi")));
  txn.commit();
  auto reader = env->begin_read();
  REQUIRE(partition.select(reader, path::key("alice").all()) == strings{"hi"});
  // end snippet: pstate-partition
  reader.abort();
  // snippet: pstate-partition-scan
  std::vector<std::string> seen;
  for (const std::string& post : partition.scan(env->begin_read(), path::key("alice"))) seen.push_back(post);
  REQUIRE(seen == strings{"hi"});
  // end snippet: pstate-partition-scan
  // snippet: pstate-partition-for-each
  std::size_t visited = 0;
  auto snapshot = env->begin_read();
  partition.for_each(snapshot, path::key("alice").all(), [&](const std::string&) { ++visited; });
  REQUIRE(visited == 1);
  // end snippet: pstate-partition-for-each
}

// ---- clients ------------------------------------------------------------------------------------

TEST_CASE("depot_client: append, append_async and ack levels", "[docs]") {
  reference_cluster rc;
  rc.launch([](sluice::stream_topology& core) {
    core.add(sluice::source(notes).out("*note"_v)
        .each([](const std::string& n) { if (n == "bad") throw std::invalid_argument("bad note"); }, "*note"_v)
        .each(split_words, "*note"_v).out("*word"_v)
        .hash_partition("*word"_v)
        .local_transform(counts, path::key("*word"_v).null_to_val(0).term(increment)));
  }, 2);
  const auto c = rc.cluster.pstate(counts);
  // snippet: depot-append
  const auto depot = rc.cluster.depot(notes);
  depot.append("one two");  // ack_level::ack: durable, and processed across every hop
  REQUIRE(c.select_one(path::key("two")) == 1);
  REQUIRE_THROWS_WITH(depot.append("bad"), "bad note");  // what processing threw
  // end snippet: depot-append
  // snippet: depot-append-async
  std::vector<std::future<void>> acks;
  for (int i = 0; i < 10; ++i) acks.push_back(depot.append_async("three"));
  for (auto& ack : acks) ack.get();
  REQUIRE(c.select_one(path::key("three")) == 10);
  // end snippet: depot-append-async
  // snippet: depot-ack-levels
  depot.append("four", sluice::ack_level::append_ack);  // durable; hops may still be running
  auto queued = depot.append_async("five", sluice::ack_level::none);  // ready at once
  REQUIRE(queued.wait_for(std::chrono::seconds{0}) == std::future_status::ready);
  // end snippet: depot-ack-levels
}

TEST_CASE("pstate_client: select, select_one, scan, tasks", "[docs]") {
  reference_cluster rc;
  rc.launch([](sluice::stream_topology& core) {
    core.add(sluice::source(posts).out("*post"_v)
        .each(sluice::get<"user">, "*post"_v).out("*user"_v)
        .each(sluice::get<"text">, "*post"_v).out("*text"_v)
        .local_transform(feeds, path::key("*user"_v).after_elem().term_val("*text"_v)));
  }, 4);
  for (int i = 0; i < 5; ++i) rc.cluster.depot(posts).append({"alice", "post " + std::to_string(i)});
  rc.cluster.depot(posts).append({"bob", "hi"});
  // snippet: pstate-select
  const auto f = rc.cluster.pstate(feeds);
  REQUIRE(f.select(path::key("alice").first()) == strings{"post 0"});     // routed by "alice"
  REQUIRE(f.select_one(path::key("alice").view(sluice::size)) == 5);
  const std::uint32_t task = f.task_of("alice");                           // the same routing
  REQUIRE(f.select(task, path::key("alice").last()) == strings{"post 4"});
  // end snippet: pstate-select
  // snippet: pstate-all-tasks
  std::set<std::string> users;
  for (std::uint32_t t = 0; t < f.task_count(); ++t)
    for (const std::string& user : f.select(t, path::map_keys())) users.insert(user);
  REQUIRE(users == std::set<std::string>{"alice", "bob"});
  // end snippet: pstate-all-tasks
  // snippet: pstate-scan
  auto first_two = f.scan(path::key("alice")) | ranges::views::take(2) | ranges::to<std::vector>();
  REQUIRE(first_two == strings{"post 0", "post 1"});
  std::size_t entries = 0;
  for (const auto& [user, posts] : f.scan(f.task_of("bob"), sluice::path_t<>{})) entries += posts.size();
  REQUIRE(entries >= 1);
  // end snippet: pstate-scan
  REQUIRE(f.name() == "$$feeds");
}

// ---- cluster ------------------------------------------------------------------------------------

TEST_CASE("cluster_options and launch_options", "[docs]") {
  sluice_test::temp_dir dir;
  // snippet: cluster-options
  sluice::cluster_options options;
  options.simulated_clock = true;                 // time moves only through advance_time
  options.simulated_start_millis = 1'000'000;
  options.storage.map_size = std::size_t{1} << 30;  // per task environment
  options.storage.durable = true;                 // fsync at every commit (the default)
  options.max_batch = 500;                        // events per group commit, at most
  sluice::cluster cluster{dir.path(), options};
  cluster.launch<CountModule>(sluice::launch_options{.tasks = 8, .threads = 2});
  // end snippet: cluster-options
  REQUIRE(cluster.pstate(CountModule::counts).task_count() == 8);
}

TEST_CASE("advance_time and now_millis", "[docs]") {
  reference_cluster rc;
  rc.launch([](sluice::stream_topology& core) {
    core.add(sluice::source(tick).out("*time"_v)
        .local_transform(counts, path::key("ticks").null_to_val(0).term(increment))
        .local_transform(counts, path::key("last tick").term_val("*time"_v)));
  });
  const auto c = rc.cluster.pstate(counts);
  // snippet: advance-time
  REQUIRE(rc.cluster.now_millis() == 1'000'000);
  rc.cluster.advance_time(milliseconds{2500});  // grid ticks at +1000 and +2000, then one at +2500
  REQUIRE(rc.cluster.now_millis() == 1'002'500);
  REQUIRE(c.select_one(path::key("ticks")) == 3);
  REQUIRE(c.select_one(path::key("last tick")) == 1'002'500);
  // end snippet: advance-time
}

TEST_CASE("metrics and Prometheus text", "[docs]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), test_options()};
  cluster.launch<CountModule>({.tasks = 2, .threads = 1});
  cluster.depot(CountModule::words).append("w");
  // snippet: metrics
  const sluice::cluster_metrics metrics = cluster.metrics();
  REQUIRE(metrics.tasks.size() == 2);
  REQUIRE(metrics.tasks[0].module == "counts");
  std::uint64_t events = 0;
  for (const sluice::task_metrics& task : metrics.tasks) events += task.events_processed;
  REQUIRE(events >= 1);
  REQUIRE_THAT(cluster.prometheus_metrics(), Catch::Contains("sluice_commits_total{module=\"counts\",task=\"1\"}"));
  // end snippet: metrics
  REQUIRE(sluice::to_prometheus(metrics).find("sluice_queue_depth") != std::string::npos);
}

// ---- topology_scheduler -------------------------------------------------------------------------

namespace {

// snippet: scheduler-module
struct Reminder {
  BOOST_HANA_DEFINE_STRUCT(Reminder, (std::string, user), (std::string, text), (std::int64_t, due));
};

struct ReminderModule {
  static constexpr std::string_view name = "reminders";
  static constexpr auto reminders = sluice::depot<"*reminders", Reminder>(sluice::hash_by<&Reminder::user>);
  static constexpr auto cancels = sluice::depot<"*cancels", std::string>(
      [](const std::string& user, std::uint32_t tasks) { return static_cast<std::uint32_t>(sluice::codec::key_hash(user) % tasks); });
  static constexpr auto tick = sluice::tick_depot<"*tick">(milliseconds{1000});
  static constexpr auto inbox = sluice::pstate<"$$inbox", feeds_schema>;
  static constexpr auto last_id = sluice::pstate<"$$last-id", sluice::map_schema<std::string, sluice::schedule_id>>;

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(reminders, cancels, tick);
    auto& core = topologies.stream("core");
    core.declare(inbox);
    core.declare(last_id);
    // snippet: scheduler-declare
    sluice::topology_scheduler<Reminder> scheduler{"$$reminders"};
    scheduler.max_fetch(100);
    scheduler.declare_pstates(core);
    // end snippet: scheduler-declare
    // snippet: scheduler-schedule
    core.add(sluice::source(reminders).out("*reminder"_v)
        .each(sluice::get<"user">, "*reminder"_v).out("*user"_v)
        .each(sluice::get<"due">, "*reminder"_v).out("*due"_v)
        .macro(scheduler.schedule_item("*due"_v, "*reminder"_v, "*id"_v))
        .local_transform(last_id, path::key("*user"_v).term_val("*id"_v)));
    // end snippet: scheduler-schedule
    // snippet: scheduler-cancel
    core.add(sluice::source(cancels).out("*user"_v)
        .local_select(last_id, path::key("*user"_v)).out("*id"_v)
        .macro(scheduler.cancel_item("*id"_v)));
    // end snippet: scheduler-cancel
    // snippet: scheduler-expire
    core.add(sluice::source(tick)
        .macro(scheduler.handle_expirations("*reminder"_v, "*now"_v, sluice::block()
            .each(sluice::get<"user">, "*reminder"_v).out("*user"_v)
            .each(sluice::get<"text">, "*reminder"_v).out("*text"_v)
            .local_transform(inbox, path::key("*user"_v).after_elem().term_val("*text"_v)))));
    // end snippet: scheduler-expire
  }
};
// end snippet: scheduler-module

}  // namespace

TEST_CASE("topology_scheduler: schedule, cancel, expire", "[docs]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), test_options()};
  // snippet: scheduler-use
  cluster.launch<ReminderModule>({.tasks = 4, .threads = 2});
  const std::int64_t now = cluster.now_millis();
  cluster.depot(ReminderModule::reminders).append({"ann", "stretch", now + 1500});
  cluster.depot(ReminderModule::reminders).append({"bo", "call", now + 1500});
  cluster.depot(ReminderModule::cancels).append("bo");
  cluster.advance_time(milliseconds{1000});
  REQUIRE(cluster.pstate(ReminderModule::inbox).select(path::key("ann").all()).empty());
  cluster.advance_time(milliseconds{500});
  REQUIRE(cluster.pstate(ReminderModule::inbox).select(path::key("ann").all()) == strings{"stretch"});
  REQUIRE(cluster.pstate(ReminderModule::inbox).select(path::key("bo").all()).empty());
  // end snippet: scheduler-use
  // snippet: scheduler-items
  const sluice::topology_scheduler<Reminder> scheduler{"$$reminders"};
  const auto items = cluster.pstate(scheduler.items());
  std::size_t pending = 0;
  for (std::uint32_t t = 0; t < items.task_count(); ++t) pending += items.select_one(t, path::view(sluice::size));
  REQUIRE(pending == 0);
  // end snippet: scheduler-items
}

// ---- errors -------------------------------------------------------------------------------------

TEST_CASE("a locked data directory", "[docs]") {
  sluice_test::temp_dir dir;
  // snippet: error-locked
  sluice::cluster first{dir.path(), test_options()};
  REQUIRE_THROWS_WITH(sluice::cluster(dir.path(), test_options()), Catch::Contains("is in use by this process"));
  // end snippet: error-locked
}

TEST_CASE("a task count other than the stored one", "[docs]") {
  sluice_test::temp_dir dir;
  { sluice::cluster{dir.path(), test_options()}.launch<CountModule>({.tasks = 4, .threads = 1}); }
  // snippet: error-task-count
  sluice::cluster cluster{dir.path(), test_options()};
  REQUIRE_THROWS_WITH(cluster.launch<CountModule>({.tasks = 2, .threads = 1}),
                      Catch::Contains("created with 4 tasks and cannot be launched with 2"));
  // end snippet: error-task-count
}

TEST_CASE("clients of a stopped cluster", "[docs]") {
  sluice_test::temp_dir dir;
  // snippet: error-stopped
  auto cluster = std::make_unique<sluice::cluster>(dir.path(), test_options());
  cluster->launch<CountModule>({.tasks = 1, .threads = 1});
  const auto words = cluster->depot(CountModule::words);
  const auto counted = cluster->pstate(CountModule::counts);
  cluster.reset();
  REQUIRE_THROWS_AS(words.append("late"), sluice::cluster_stopped);
  REQUIRE_THROWS_AS(counted.select(path::key("late")), sluice::cluster_stopped);
  // end snippet: error-stopped
}

TEST_CASE("unknown depots and PStates, tasks out of range", "[docs]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), test_options()};
  cluster.launch<CountModule>({.tasks = 2, .threads = 1});
  // snippet: error-lookup
  REQUIRE_THROWS_WITH(cluster.depot(posts), Catch::Contains("no launched module declares the depot '*posts'"));
  REQUIRE_THROWS_AS(cluster.pstate(CountModule::counts).select(2, path::map_keys()), std::out_of_range);
  // end snippet: error-lookup
}

TEST_CASE("decode_error and storage_error", "[docs]") {
  sluice_test::temp_dir dir;
  // snippet: error-decode
  REQUIRE_THROWS_WITH(sluice::codec::decode_value<std::string>(std::string_view{"\x05" "ab"}),
                      "sluice: cannot decode std::string length: needs 5 bytes, 2 remain");
  // end snippet: error-decode
  std::filesystem::create_directories(dir.path() / "foreign");
  std::ofstream{dir.path() / "foreign" / "data.mdb"} << std::string(8192, 'x');
  // snippet: error-storage
  try {
    sluice::storage::open_environment(dir.path() / "foreign");
    FAIL("a file that is not LMDB's was opened");
  } catch (const sluice::storage_error& e) {
    REQUIRE(e.code() == MDB_INVALID);
    REQUIRE_THAT(e.what(), Catch::Contains("not a valid sluice/LMDB data directory"));
  }
  // end snippet: error-storage
}

TEST_CASE("a record that does not fit the map fails alone with storage_full", "[docs]") {
  sluice_test::temp_dir dir;
  auto options = test_options();
  options.storage.map_size = std::size_t{1} << 20;
  // snippet: error-storage-full
  sluice::cluster cluster{dir.path(), options};  // options.storage.map_size is 1 MiB
  cluster.launch<CountModule>({.tasks = 1, .threads = 1});
  const auto words = cluster.depot(CountModule::words);
  REQUIRE_THROWS_AS(words.append(std::string(2 << 20, 'x')), sluice::storage_full);
  words.append("small");  // the task goes on
  REQUIRE(cluster.pstate(CountModule::counts).select_one(path::key("small")) == 1);
  // end snippet: error-storage-full
}

TEST_CASE("a map that filled up is raised by launching again with a larger map_size", "[docs]") {
  sluice_test::temp_dir dir;
  auto options = test_options();
  options.storage.map_size = std::size_t{1} << 20;
  std::vector<std::string> acknowledged;
  {
    sluice::cluster cluster{dir.path(), options};
    cluster.launch<CountModule>({.tasks = 1, .threads = 1});
    const auto words = cluster.depot(CountModule::words);
    for (int i = 0;; ++i) {
      REQUIRE(i < 10'000);  // 1 MiB holds far fewer words of 400 bytes
      std::string word = std::to_string(i) + std::string(400, 'w');
      try {
        words.append(word);
      } catch (const sluice::storage_full&) {
        break;
      }
      acknowledged.push_back(std::move(word));
    }
  }
  REQUIRE(acknowledged.size() > 100);
  options.storage.map_size = std::size_t{8} << 20;  // LMDB keeps the larger size from now on
  sluice::cluster cluster{dir.path(), options};
  cluster.launch<CountModule>({.tasks = 1, .threads = 1});
  const auto counts = cluster.pstate(CountModule::counts);
  for (const auto& word : acknowledged) REQUIRE(counts.select_one(path::key(word)) == 1);
  const auto words = cluster.depot(CountModule::words);
  for (int i = 0; i < 2000; ++i) words.append("more " + std::to_string(i) + std::string(400, 'm'));  // past 1 MiB
  REQUIRE(counts.select_one(path::key("more 1999" + std::string(400, 'm'))) == 1);
}

// ---- limits -------------------------------------------------------------------------------------

TEST_CASE("LMDB's key size limit: 511 bytes per entry key", "[docs][limits]") {
  reference_cluster rc;
  rc.launch([](sluice::stream_topology& core) {
    core.add(sluice::source(notes).out("*word"_v)
        .local_transform(counts, path::key("*word"_v).null_to_val(0).term(increment)));
    core.add(sluice::source(posts).out("*post"_v)
        .each(sluice::get<"user">, "*post"_v).out("*user"_v)
        .local_transform(feeds, path::key("*user"_v).after_elem().term_val("x")));
  });
  const auto notes_depot = rc.cluster.depot(notes);
  // A top-level map entry's key is 1 tag byte and the encoded key (a string: its bytes, then 2).
  notes_depot.append(std::string(508, 'k'));
  REQUIRE(rc.cluster.pstate(counts).select_one(path::key(std::string(508, 'k'))) == 1);
  try {
    notes_depot.append(std::string(509, 'k'));
    FAIL("a 512-byte LMDB key was accepted");
  } catch (const sluice::storage_error& e) {
    REQUIRE(e.code() == MDB_BAD_VALSIZE);
  }
  // A NUL byte in a string key takes two bytes.
  REQUIRE_THROWS_AS(notes_depot.append(std::string(300, '\0')), sluice::storage_error);
  // A subindexed list's element adds 1 tag byte and an 8-byte position to the key of its map entry.
  rc.cluster.depot(posts).append({std::string(499, 'u'), ""});
  REQUIRE_THROWS_AS(rc.cluster.depot(posts).append({std::string(500, 'u'), ""}), sluice::storage_error);
  notes_depot.append("still fine");  // each failure failed its own append only
  REQUIRE(rc.cluster.pstate(counts).select_one(path::key("still fine")) == 1);
}

// ---- recovery -----------------------------------------------------------------------------------

namespace {

struct EvolvingV1 {
  static constexpr std::string_view name = "evolving";
  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(notes);
    auto& core = topologies.stream("core");
    core.declare(counts);
    core.add(sluice::source(notes).out("*note"_v)
        .local_transform(counts, path::key("*note"_v).null_to_val(0).term(increment)));
  }
};

/// The same module with a second topology reading the same depot.
struct EvolvingV2 : EvolvingV1 {
  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    EvolvingV1::define(setup, topologies);
    auto& audit = topologies.stream("audit");
    audit.declare(feeds);
    audit.add(sluice::source(notes).out("*note"_v)
        .local_transform(feeds, path::key("seen").after_elem().term_val("*note"_v)));
  }
};

}  // namespace

TEST_CASE("a topology added to a module later sees only the records appended after it", "[docs][recovery]") {
  sluice_test::temp_dir dir;
  {
    sluice::cluster cluster{dir.path(), test_options()};
    cluster.launch<EvolvingV1>({});
    cluster.depot(notes).append("before");
  }
  sluice::cluster cluster{dir.path(), test_options()};
  cluster.launch<EvolvingV2>({});
  cluster.depot(notes).append("after");
  REQUIRE(cluster.pstate(counts).select(0, path::all()) ==
          std::vector<std::pair<std::string, std::int64_t>>{{"after", 1}, {"before", 1}});
  REQUIRE(cluster.pstate(feeds).select(path::key("seen").all()) == strings{"after"});  // no backfill
}

// ---- codec and storage --------------------------------------------------------------------------

TEST_CASE("the codecs", "[docs]") {
  // snippet: codec-value
  const std::string bytes = sluice::codec::encode_value(Post{"ann", "hi"});
  REQUIRE(bytes == std::string{"\x03" "ann" "\x02" "hi"});
  REQUIRE(sluice::codec::decode_value<Post>(bytes).text == "hi");
  // end snippet: codec-value
  // snippet: codec-key
  REQUIRE(sluice::codec::encode_key(std::int64_t{-1}) < sluice::codec::encode_key(std::int64_t{1}));
  REQUIRE(sluice::codec::encode_key(std::tuple{std::string{"a"}, 2}) < sluice::codec::encode_key(std::tuple{std::string{"ab"}, 1}));
  REQUIRE(sluice::codec::key_hash("ann") == sluice::codec::key_hash(std::string{"ann"}));
  // end snippet: codec-key
  STATIC_REQUIRE(sluice::codec::is_value_encodable_v<Post>);
  STATIC_REQUIRE(sluice::codec::is_key_decodable_v<std::tuple<std::int64_t, std::string>>);
}

TEST_CASE("the storage layer", "[docs]") {
  sluice_test::temp_dir dir;
  // snippet: storage
  auto env = sluice::storage::open_environment(dir.path(), {.map_size = std::size_t{64} << 20});
  auto txn = env->begin_write();
  const sluice::storage::database db = env->open_database(txn, "things");
  txn.put(db, "b", "2");
  REQUIRE_FALSE(txn.insert(db, "b", "again"));  // insert keeps what is there
  txn.commit();
  REQUIRE(env->begin_read().get(db, "b") == "2");
  // end snippet: storage
  // snippet: storage-nested
  auto outer = env->begin_write();
  {
    auto inner = outer.begin_nested();
    inner.put(db, "a", "1");
  }  // destroyed without commit: its writes are gone, the outer transaction goes on
  outer.put(db, "c", "3");
  outer.commit();
  // end snippet: storage-nested
  // snippet: storage-cursor
  auto reader = env->begin_read();
  auto cursor = reader.open_cursor(db);
  strings keys;
  for (auto entry = cursor.seek("b"); entry; entry = cursor.next()) keys.emplace_back(entry->key);
  REQUIRE(keys == strings{"b", "c"});
  // end snippet: storage-cursor
}
