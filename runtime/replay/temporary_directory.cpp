#include "runtime/replay/temporary_directory.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace cx {

bool TemporaryDirectory::Create(std::string_view prefix, std::string& error) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) {
    base = "/tmp";
  }
  std::string pattern = (base / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    error = "cannot create a temporary state directory under " + base.string();
    return false;
  }
  path_ = pattern;
  return true;
}

TemporaryDirectory::~TemporaryDirectory() {
  if (!path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

}  // namespace cx
