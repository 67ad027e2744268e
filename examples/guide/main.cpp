// guide_follows: the guide's follower index as a program of its own. It launches FollowsModule on
// a data directory, appends a few follows and prints both sides of every user. Run it twice on
// the same directory: the data is still there, and following again changes nothing.
//
//   guide_follows [DATA_DIR]     (default: ./follows-data)

#include "follows_module.hpp"

#include <sluice/sluice.hpp>

#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace {

std::string joined(const std::vector<std::string>& users) {
  if (users.empty()) return "nobody";
  std::string text = users.front();
  for (std::size_t i = 1; i < users.size(); ++i) text += ", " + users[i];
  return text;
}

}  // namespace

int main(int argc, char** argv) try {
  // snippet: program
  using sluice::path;
  const std::filesystem::path data_dir = argc > 1 ? argv[1] : "follows-data";
  sluice::cluster cluster{data_dir};
  cluster.launch<FollowsModule>({.tasks = 4, .threads = 2});

  auto follows = cluster.depot(FollowsModule::follow_depot);
  for (auto [follower, followee] : {std::pair{"ann", "bob"}, {"ann", "carol"}, {"dave", "bob"}})
    follows.append(follow(follower, followee));

  auto following = cluster.pstate(FollowsModule::following);
  auto followers = cluster.pstate(FollowsModule::followers);
  for (const std::string user : {"ann", "bob", "carol", "dave"})
    std::cout << user << " follows " << joined(following.select(path::key(user).map_keys()))
              << "; followed by " << joined(followers.select(path::key(user).map_keys())) << '\n';
  // end snippet: program
  return 0;
} catch (const std::exception& e) {
  std::cerr << "guide_follows: " << e.what() << '\n';
  return 1;
}
