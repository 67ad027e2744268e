// The program the crash tests kill. It opens a cluster on a directory (durable storage, the
// default), launches CrashModule and appends records from several threads, each waiting for its
// ack, and prints `acked <id>` once each append has returned, until it is killed.
//
//   sluice_crash_child --dir DIR --run N [--threads T] [--appenders A] [--max-batch B]
//
// Record ids are made by crash_record(N, counter): runs on one directory with distinct run
// numbers never reuse an id.

#include "crash_module.hpp"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct child_settings {
  std::string dir;
  std::int64_t run = 0;
  std::uint32_t threads = 2;    // worker threads of the module
  unsigned appenders = 4;       // threads appending at once, so that commits group them
  std::size_t max_batch = 1000;
};

// Other threads may be appending: end the process at once, without running destructors.
[[noreturn]] void die(const std::string& why) {
  std::cerr << "sluice_crash_child: " << why << std::endl;
  std::_Exit(2);
}

// One write(2) per line: a pipe write of at most PIPE_BUF bytes is atomic, so the lines of
// concurrent appenders never interleave, and no acknowledged id waits in a buffer when the
// process is killed. If the reader has gone, SIGPIPE ends the process.
void report_ack(std::int64_t id) {
  const std::string line = "acked " + std::to_string(id) + "\n";
  if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<::ssize_t>(line.size()))
    die("cannot write to stdout");
}

template <class Depot>
void append_until_killed(const Depot& records, std::int64_t run, std::atomic<std::int64_t>& counter) {
  for (;;) {
    const std::int64_t n = counter.fetch_add(1);
    if (n >= crash_ids_per_run) die("run " + std::to_string(run) + " has used up its ids");
    const CrashRecord record = crash_record(run, n);
    try {
      records.append(record);  // the default ack: durable, and processed across every hop
    } catch (const std::exception& e) {
      die("the append of record " + std::to_string(record.id) + " failed: " + e.what());
    }
    report_ack(record.id);
  }
}

void run_until_killed(const child_settings& settings) {
  sluice::cluster_options options;
  options.max_batch = settings.max_batch;
  sluice::cluster cluster{settings.dir, options};
  cluster.launch<CrashModule>({.tasks = CrashModule::tasks, .threads = settings.threads});
  const auto records = cluster.depot(CrashModule::records);
  std::atomic<std::int64_t> counter{0};
  std::vector<std::jthread> appenders;
  for (unsigned a = 0; a < settings.appenders; ++a)
    appenders.emplace_back([&] { append_until_killed(records, settings.run, counter); });
}

}  // namespace

int main(int argc, char** argv) {
  child_settings settings;
  CLI::App app{"sluice_crash_child: appends to CrashModule and reports each ack until killed"};
  app.add_option("--dir", settings.dir, "the cluster's data directory")->required();
  app.add_option("--run", settings.run, "this run's number, unique per directory")->required()->check(CLI::NonNegativeNumber);
  app.add_option("--threads", settings.threads, "worker threads")->check(CLI::PositiveNumber);
  app.add_option("--appenders", settings.appenders, "threads appending")->check(CLI::PositiveNumber);
  app.add_option("--max-batch", settings.max_batch, "most events per commit")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    run_until_killed(settings);
  } catch (const std::exception& e) {
    die(e.what());
  }
  return 0;
}
