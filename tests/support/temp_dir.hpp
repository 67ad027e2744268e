#pragma once
// A fresh directory under the system temp dir, removed with everything in it on destruction.

#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace sluice_test {

class temp_dir {
 public:
  temp_dir() {
    std::random_device entropy;
    auto base = std::filesystem::temp_directory_path();
    for (;;) {
      path_ = base / ("sluice-test-" + std::to_string(entropy()) + std::to_string(entropy()));
      if (std::filesystem::create_directory(path_)) break;
    }
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::filesystem::path& path() const noexcept { return path_; }
  std::filesystem::path operator/(const std::string& child) const { return path_ / child; }

 private:
  std::filesystem::path path_;
};

}  // namespace sluice_test
