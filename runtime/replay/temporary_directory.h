#pragma once

#include <string>
#include <string_view>

#include "schemas/result.h"

namespace cx {

// A fresh directory under the system's temporary directory, removed with everything in it when
// this goes out of scope (the state of a replay without --state-dir, the demo's state).
class TemporaryDirectory {
 public:
  TemporaryDirectory() = default;
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  // Creates "<tmp>/<prefix>-XXXXXX", or returns the one-line reason it cannot. Call once.
  [[nodiscard]] Result<void> Create(std::string_view prefix);
  // Empty before Create().
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace cx
