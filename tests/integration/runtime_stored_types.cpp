// A data directory records how each depot's records and each PState's data are encoded, and what
// each hop sends. A launch whose code declares a depot or PState with another type, or changes a
// hop that messages kept in an outbox still wait for, is refused before anything is written, so
// stored bytes are never misread and messages never dropped; types that encode alike are
// accepted. Clients whose descriptor disagrees with the launched module are refused too.

#include "runtime_fixture.hpp"

#include <sluice/client.hpp>
#include <sluice/sluice.hpp>

#include <boost/hana/define_struct.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

using namespace sluice::literals;
using sluice::path;

namespace {

struct note {
  BOOST_HANA_DEFINE_STRUCT(note,
    (std::string, user),
    (std::string, text));
};

using notes_schema = sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>;

struct notes_module {
  static constexpr std::string_view name = "notes";
  static constexpr auto notes = sluice::depot<"*notes", note>(sluice::hash_by<&note::user>);
  static constexpr auto by_user = sluice::pstate<"$$by-user", notes_schema>;

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(notes);
    auto& core = topologies.stream("core");
    core.declare(by_user);
    core.add(sluice::source(notes).out("*note"_v)
        .each(sluice::get<"user">, "*note"_v).out("*user"_v)
        .each(sluice::get<"text">, "*note"_v).out("*text"_v)
        .local_transform(by_user, path::key("*user"_v).after_elem().term_val("*text"_v)));
  }
};

// The same module, depot and PState names with the types a changed module might declare.
template <class Record, class Schema>
struct retyped_notes_module {
  static constexpr std::string_view name = "notes";
  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(sluice::depot<"*notes", Record>(sluice::random_partition));
    topologies.stream("core").declare(sluice::pstate<"$$by-user", Schema>);
  }
};

struct dated_note {
  BOOST_HANA_DEFINE_STRUCT(dated_note,
    (std::string, user),
    (std::string, text),
    (std::int64_t, millis));
};

struct renamed_note {  // other names, the same parts
  BOOST_HANA_DEFINE_STRUCT(renamed_note,
    (std::string, author),
    (std::string, body));
};

constexpr sluice::launch_options two_tasks{.tasks = 2, .threads = 1};

void append_notes(sluice::cluster& cluster) {
  const auto notes = cluster.depot(notes_module::notes);
  notes.append({"ann", "first"});
  notes.append({"bob", "second"});
  notes.append({"ann", "third"});
}

void check_notes(const sluice::cluster& cluster) {
  const auto by_user = cluster.pstate(notes_module::by_user);
  CHECK(by_user.select(path::key("ann").all()) == std::vector<std::string>{"first", "third"});
  CHECK(by_user.select(path::key("bob").all()) == std::vector<std::string>{"second"});
}

}  // namespace

TEST_CASE("a launch declaring a depot or PState with another type than it was stored with is refused",
          "[runtime][recovery][types]") {
  sluice_test::temp_dir dir;
  {
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    cluster.launch<notes_module>(two_tasks);
    append_notes(cluster);
  }
  const auto refused = [&](auto module, const std::string& what) {
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    try {
      cluster.launch(two_tasks, module);
      FAIL("a module with changed types was launched");
    } catch (const sluice::cluster_error& e) {
      CHECK_THAT(e.what(), Catch::Contains("the module 'notes' in '" + (dir.path() / "notes").string() + "'") &&
                               Catch::Contains(what) && Catch::Contains("stored data is never converted"));
    }
  };

  SECTION("a PState's value type") {
    refused(retyped_notes_module<note, sluice::map_schema<std::string, sluice::list_schema<std::int64_t, sluice::subindexed>>>{},
            "its PState '$$by-user' as map_schema<string,list_schema<string,subindexed>>, but the module now "
            "declares it as map_schema<string,list_schema<int64,subindexed>>");
  }
  SECTION("a PState's key type") {
    refused(retyped_notes_module<note, sluice::map_schema<std::int32_t, sluice::list_schema<std::string, sluice::subindexed>>>{},
            "as map_schema<int32,list_schema<string,subindexed>>");
  }
  SECTION("a PState's nested collection no longer subindexed") {
    refused(retyped_notes_module<note, sluice::map_schema<std::string, sluice::list_schema<std::string>>>{},
            "as map_schema<string,list_schema<string>>");
  }
  SECTION("a depot's record type, with a field added") {
    refused(retyped_notes_module<dated_note, notes_schema>{},
            "its depot '*notes' as (string,string), but the module now declares it as (string,string,int64)");
  }
  // Nothing was written: the module launches as before, with its data.
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch<notes_module>(two_tasks);
  check_notes(cluster);
}

TEST_CASE("types that encode alike may replace each other", "[runtime][recovery][types]") {
  sluice_test::temp_dir dir;
  {
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    cluster.launch<notes_module>(two_tasks);
    append_notes(cluster);
  }
  {
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    CHECK_NOTHROW(cluster.launch(two_tasks, retyped_notes_module<renamed_note, notes_schema>{}));
  }
  {
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    CHECK_NOTHROW(cluster.launch(two_tasks, retyped_notes_module<std::tuple<std::string, std::string>, notes_schema>{}));
  }
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch<notes_module>(two_tasks);
  check_notes(cluster);
}

TEST_CASE("a directory without recorded types records them at its next launch, then holds to them",
          "[runtime][recovery][types]") {
  sluice_test::temp_dir dir;
  {
    // A plan made by hand may leave stored types empty: nothing is checked or recorded for them.
    sluice::dataflow::module_plan untyped{.name = "notes", .depots = {{"*notes"}}, .ticks = {},
                                          .topologies = {{.name = "core", .pstates = {{"$$by-user"}}, .sources = {}, .hops = {}}}};
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    cluster.launch(std::move(untyped), two_tasks);
  }
  {
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    cluster.launch<notes_module>(two_tasks);
    append_notes(cluster);
  }
  {
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    CHECK_THROWS_WITH(cluster.launch(two_tasks, retyped_notes_module<dated_note, notes_schema>{}),
                      Catch::Contains("its depot '*notes' as (string,string)"));
  }
  for (std::uint32_t t = 0; t < 2; ++t) {
    const sluice_test::stored_task task{dir.path(), "notes", t};
    CHECK(task.meta_value("stored-type:depot:*notes") == "(string,string)");
    CHECK(task.meta_value("stored-type:pstate:$$by-user") == "map_schema<string,list_schema<string,subindexed>>");
  }
}

TEST_CASE("a client whose descriptor disagrees with the launched module is refused", "[runtime][types]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch<notes_module>(two_tasks);

  // snippet: client-type
  constexpr auto other_schema = sluice::pstate<"$$by-user", sluice::map_schema<std::string, std::int64_t>>;
  CHECK_THROWS_WITH(cluster.pstate(other_schema),
                    "sluice: the PState '$$by-user' of the module 'notes' holds map_schema<string,list_schema<string,subindexed>>, "
                    "but the client's descriptor says map_schema<string,int64>");
  constexpr auto other_record = sluice::depot<"*notes", dated_note>(sluice::hash_by<&dated_note::user>);
  CHECK_THROWS_WITH(cluster.depot(other_record),
                    "sluice: the depot '*notes' of the module 'notes' holds (string,string), but the client's descriptor says "
                    "(string,string,int64)");
  // end snippet: client-type
  constexpr auto same_encoding = sluice::depot<"*notes", renamed_note>(sluice::hash_by<&renamed_note::author>);
  cluster.depot(same_encoding).append({"ann", "by another name"});
  CHECK(cluster.pstate(notes_module::by_user).select(path::key("ann").all()) == std::vector<std::string>{"by another name"});
}

namespace {

enum class counting { after_hop, measured_before_hop, without_hop };

// Counts words on the task hash_by would pick, after a hop from task 0, where every word is
// appended; or binds the word's length before the hop too; or counts on task 0, with no hop.
template <counting How>
struct counting_module {
  static constexpr std::string_view name = "counting";
  static constexpr auto words =
      sluice::depot<"*words", std::string>([](const std::string&, std::uint32_t) { return std::uint32_t{0}; });
  static constexpr auto counts = sluice::pstate<"$$counts", sluice::map_schema<std::string, std::int64_t>>;

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(words);
    auto& core = topologies.stream("core");
    core.declare(counts);
    const auto count = path::key("*word"_v).null_to_val(std::int64_t{0}).term([](std::int64_t n) { return n + 1; });
    if constexpr (How == counting::after_hop)
      core.add(sluice::source(words).out("*word"_v).hash_partition("*word"_v).local_transform(counts, count));
    else if constexpr (How == counting::measured_before_hop)
      core.add(sluice::source(words).out("*word"_v)
          .each([](const std::string& word) { return word.size(); }, "*word"_v).out("*length"_v)
          .hash_partition("*word"_v)
          .local_transform(counts, count));
    else
      core.add(sluice::source(words).out("*word"_v).local_transform(counts, count));
  }
};

// Words that hash_partition sends from task 0 to task 1 of two.
std::vector<std::string> words_for_task_1(std::size_t n) {
  std::vector<std::string> words;
  for (int i = 0; words.size() < n; ++i)
    if (const std::string word = "word-" + std::to_string(i); sluice::codec::key_hash(word) % 2 == 1) words.push_back(word);
  return words;
}

}  // namespace

TEST_CASE("hop messages an outbox kept are delivered only to the hop they were stored for", "[runtime][recovery][types]") {
  sluice_test::temp_dir dir;
  constexpr sluice::launch_options two_tasks_one_thread{.tasks = 2, .threads = 1};
  const auto words = words_for_task_1(4);  // three kept in the outbox, one to flush it
  {
    auto options = sluice_test::runtime_options();
    options.testing.deliver_hops = false;  // as if the process died right after each commit
    sluice::cluster cluster{dir.path(), options};
    cluster.launch<counting_module<counting::after_hop>>(two_tasks_one_thread);
    for (std::size_t i = 0; i < 3; ++i) cluster.depot(counting_module<counting::after_hop>::words).append(words[i]);
  }
  {
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    CHECK_THROWS_WITH(cluster.launch<counting_module<counting::measured_before_hop>>(two_tasks_one_thread),
                      Catch::Contains("the outbox of task 0 holds 3 hop messages not yet applied for hop 0 of topology 0, "
                                      "stored for topology 'core', from *words: (*word:string), where the module now "
                                      "has topology 'core', from *words: (*word:string,*length:uint64)") &&
                          Catch::Contains("launch the code that stored them until every outbox is empty"));
    CHECK_THROWS_WITH(cluster.launch<counting_module<counting::without_hop>>(two_tasks_one_thread),
                      Catch::Contains("stored for topology 'core', from *words: (*word:string), where the module now "
                                      "has no such hop"));
  }
  {
    // The code that stored them delivers them; once applied, they hold nothing back.
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    cluster.launch<counting_module<counting::after_hop>>(two_tasks_one_thread);
    cluster.depot(counting_module<counting::after_hop>::words).append(words[3]);  // its message follows those re-sent
    const auto counts = cluster.pstate(counting_module<counting::after_hop>::counts);
    for (const auto& word : words) CHECK(counts.select_one(path::key(word)) == 1);
  }
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch<counting_module<counting::measured_before_hop>>(two_tasks_one_thread);
  cluster.depot(counting_module<counting::measured_before_hop>::words).append(words[0]);
  CHECK(cluster.pstate(counting_module<counting::measured_before_hop>::counts).select_one(path::key(words[0])) == 2);
}
