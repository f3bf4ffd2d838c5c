#include "runtime/replay/temporary_directory.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace cx {

Result<void> TemporaryDirectory::Create(std::string_view prefix) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) {
    base = "/tmp";
  }
  std::string pattern = (base / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Err("cannot create a temporary state directory under " + base.string());
  }
  path_ = pattern;
  return Ok();
}

TemporaryDirectory::~TemporaryDirectory() {
  if (!path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

}  // namespace cx
