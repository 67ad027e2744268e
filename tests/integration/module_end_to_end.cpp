// Modules written as users write them (DESIGN §1), launched on a real cluster: acked appends,
// queries through PState clients, hops between tasks, and the scheduler on simulated time.

#include "temp_dir.hpp"

#include <timed_notifications/timed_notifications_module.hpp>

#include <sluice/sluice.hpp>

#include <boost/hana/define_struct.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

using namespace sluice::literals;
using sluice::path;
using strings = std::vector<std::string>;

namespace {

struct Sentence {
  BOOST_HANA_DEFINE_STRUCT(Sentence, (std::string, author), (std::string, text));
};

struct WordCountModule {
  static constexpr auto sentences = sluice::depot<"*sentences", Sentence>(sluice::hash_by<&Sentence::author>);
  static constexpr auto word_counts = sluice::pstate<"$$word-counts", sluice::map_schema<std::string, std::int64_t>>;
  static constexpr auto by_author = sluice::pstate<"$$by-author",
      sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>>;

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(sentences);
    auto& core = topologies.stream("core");
    core.declare(word_counts);
    core.declare(by_author);
    auto words = [](sluice::emitter<std::string>& emit, const std::string& text) {
      std::istringstream in{text};
      for (std::string word; in >> word;) emit(word);
    };
    core.add(sluice::source(sentences).out("*sentence"_v)
        .each(sluice::get<"author">, "*sentence"_v).out("*author"_v)
        .each(sluice::get<"text">, "*sentence"_v).out("*text"_v)
        .local_transform(by_author, path::key("*author"_v).after_elem().term_val("*text"_v))
        .each(words, "*text"_v).out("*word"_v)
        .hash_partition("*word"_v)
        .local_transform(word_counts, path::key("*word"_v).null_to_val(0).term([](std::int64_t n) { return n + 1; })));
  }
};

sluice::cluster_options fast_options(bool simulated = false) {
  sluice::cluster_options options;
  options.simulated_clock = simulated;
  options.storage.durable = false;
  options.storage.map_size = std::size_t{256} << 20;
  return options;
}

}  // namespace

TEST_CASE("a word count across four tasks, queried right after acked appends", "[module]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), fast_options()};
  cluster.launch<WordCountModule>({.tasks = 4, .threads = 2});
  auto sentences = cluster.depot(WordCountModule::sentences);
  sentences.append({"ann", "the cat and the hat"});
  sentences.append({"bo", "the end"});

  auto counts = cluster.pstate(WordCountModule::word_counts);
  CHECK(counts.select_one(path::key("the")) == 3);
  CHECK(counts.select_one(path::key("cat")) == 1);
  CHECK(counts.select(path::key("dog")).empty());
  auto by_author = cluster.pstate(WordCountModule::by_author);
  CHECK(by_author.select(path::key("ann").all()) == strings{"the cat and the hat"});
  CHECK(by_author.select_one(path::key("bo").view(sluice::size)) == 1);

  std::vector<std::string> scanned;
  for (const auto& sentence : by_author.scan(path::key("ann"))) scanned.push_back(sentence);
  CHECK(scanned == strings{"the cat and the hat"});
}

TEST_CASE("the article's test: 4 tasks, 2 threads, simulated time", "[module]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), fast_options(/*simulated=*/true)};
  cluster.launch<TimedNotificationsModule>({.tasks = 4, .threads = 2});
  auto posts = cluster.depot(TimedNotificationsModule::scheduled_post_depot);
  auto feeds = cluster.pstate(TimedNotificationsModule::feeds);
  const std::int64_t start = cluster.now_millis();
  posts.append({"alice", "Post 1", start + 1500});
  posts.append({"alice", "Post 2", start + 800});
  posts.append({"alice", "Post 3", start + 2000});

  auto feed_at = [&](std::int64_t at) {
    cluster.advance_time(std::chrono::milliseconds{start + at - cluster.now_millis()});
    return feeds.select(path::key("alice").all());
  };
  CHECK(feed_at(0).empty());
  CHECK(feed_at(799).empty());
  CHECK(feed_at(800) == strings{"Post 2"});
  CHECK(feed_at(1400) == strings{"Post 2"});
  CHECK(feed_at(1500) == strings{"Post 2", "Post 1"});
  CHECK(feed_at(1950) == strings{"Post 2", "Post 1"});
  CHECK(feed_at(2000) == strings{"Post 2", "Post 1", "Post 3"});
}
