// The smallest use of sluice's storage: a PState of per-user feeds in a fresh directory, written
// in one transaction and read back in another.
//
//   hello_pstate [DIR]     (default: a new directory under the system temp dir, removed after)

#include <sluice/pstate.hpp>
#include <sluice/storage.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>

using feeds_schema = sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>;

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const bool temporary = argc < 2;
  const fs::path dir = temporary ? fs::temp_directory_path() /
                                       ("sluice-hello-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()))
                                 : fs::path{argv[1]};
  using sluice::path;
  try {
    auto env = sluice::storage::open_environment(dir);
    auto txn = env->begin_write();
    auto feeds = sluice::pstate_partition<feeds_schema>::open(*env, txn, "$$feeds");
    for (const char* post : {"Post 2", "Post 1", "Post 3"}) feeds.transform(txn, path::key("alice").after_elem().term_val(post));
    txn.commit();

    auto read = env->begin_read();
    std::cout << "alice's feed in " << dir.string() << " holds "
              << feeds.select_one(read, path::key("alice").view(sluice::size)) << " posts:\n";
    for (const auto& post : feeds.select(read, path::key("alice").all())) std::cout << "  " << post << '\n';
    std::cout << "second: " << feeds.select_one(read, path::key("alice").nth(1)) << '\n';
  } catch (const std::exception& e) {
    std::cerr << "hello_pstate: " << e.what() << '\n';
    return 1;
  }
  if (temporary) fs::remove_all(dir);
  return 0;
}
