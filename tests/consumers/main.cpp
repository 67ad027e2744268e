// A program as a user of sluice writes one: a small module on a fresh directory, acked appends,
// queries. Exits 0 only if every query gives the expected answer.

#include <sluice/sluice.hpp>

#include <boost/hana/define_struct.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

struct Visit {
  BOOST_HANA_DEFINE_STRUCT(Visit, (std::string, user), (std::string, page));
};

struct VisitsModule {
  static constexpr auto visits = sluice::depot<"*visits", Visit>(sluice::hash_by<&Visit::user>);
  static constexpr auto history = sluice::pstate<"$$history",
      sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>>;
  static constexpr auto page_views = sluice::pstate<"$$page-views", sluice::map_schema<std::string, std::int64_t>>;

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    using namespace sluice::literals;
    using sluice::path;
    setup.declare(visits);
    auto& core = topologies.stream("core");
    core.declare(history);
    core.declare(page_views);
    core.add(sluice::source(visits).out("*visit"_v)
        .each(sluice::get<"user">, "*visit"_v).out("*user"_v)
        .each(sluice::get<"page">, "*visit"_v).out("*page"_v)
        .local_transform(history, path::key("*user"_v).after_elem().term_val("*page"_v))
        .hash_partition("*page"_v)
        .local_transform(page_views, path::key("*page"_v).null_to_val(0).term([](std::int64_t n) { return n + 1; })));
  }
};

int failures = 0;

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "consumer: wrong answer: %s\n", what);
  ++failures;
}

int run(const std::filesystem::path& dir) {
  using sluice::path;
  sluice::cluster cluster{dir};
  cluster.launch<VisitsModule>({.tasks = 4, .threads = 2});
  auto visits = cluster.depot(VisitsModule::visits);
  visits.append({"ann", "/home"}, sluice::ack_level::ack);
  visits.append({"ann", "/docs"}, sluice::ack_level::ack);
  visits.append({"bo", "/home"}, sluice::ack_level::ack);

  auto history = cluster.pstate(VisitsModule::history);
  auto page_views = cluster.pstate(VisitsModule::page_views);
  check(history.select(path::key("ann").all()) == std::vector<std::string>{"/home", "/docs"}, "ann's history");
  check(history.select_one(path::key("bo").view(sluice::size)) == 1, "the size of bo's history");
  check(page_views.select_one(path::key("/home")) == 2, "views of /home");
  check(page_views.select_one(path::key("/docs")) == 1, "views of /docs");
  check(page_views.select(path::key("/none")).empty(), "views of a page nobody visited");
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main() {
  std::random_device entropy;
  const auto dir = std::filesystem::temp_directory_path() / ("sluice-consumer-" + std::to_string(entropy()));
  int status = 1;
  try {
    status = run(dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  if (status == 0) std::puts("consumer: every answer is right");
  return status;
}
