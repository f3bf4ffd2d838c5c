#include "runtime/kafka/damaged_store.h"

#include <filesystem>
#include <system_error>

#include <spdlog/spdlog.h>

namespace cx {

bool IsDamagedStoreError(std::string_view store_error) {
  return store_error.find("Corruption") != std::string_view::npos;
}

bool IsLockedStoreError(std::string_view store_error) {
  return store_error.find("is locked by another cxpulse process") != std::string_view::npos;
}

bool SetAsideDamagedStore(const std::string& path, int partition, std::string_view why,
                          std::string& error) {
  namespace fs = std::filesystem;
  const fs::path from(path);
  const std::string aside = (from.parent_path() / ("damaged-" + from.filename().string())).string();
  std::error_code ec;
  fs::remove_all(aside, ec);
  if (!ec) {
    fs::rename(path, aside, ec);
  }
  if (ec) {
    error = "shard " + std::to_string(partition) + " store " + path +
            " is damaged and cannot be set aside: " + ec.message() + " (" + std::string(why) + ")";
    return false;
  }
  spdlog::warn(
      "state: shard {} store {} is damaged ({}); moved to {} and rebuilt from the changelog",
      partition, path, why, aside);
  return true;
}

}  // namespace cx
