// A data directory records how each depot's records and each PState's data are encoded. A launch
// whose code declares one of them with another type is refused before anything is written, so
// the stored bytes are never misread; types that encode alike are accepted. Clients whose
// descriptor disagrees with the launched module are refused too.

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
