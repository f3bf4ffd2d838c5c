#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/replay/replay_checkpoint.h"
#include "schemas/result.h"

namespace cx {

// The identity of a replay's input file, read with pread beside the LineReader: SHA-256 of the
// windows an InputMark records. Standard input ("-") is not identifiable.
class InputFileView final : public InputView {
 public:
  // Opens `path` ("-": standard input, nothing opened), or returns the one-line reason it
  // cannot.
  [[nodiscard]] static Result<std::unique_ptr<InputFileView>> Open(const std::string& path);
  ~InputFileView() override;
  InputFileView(const InputFileView&) = delete;
  InputFileView& operator=(const InputFileView&) = delete;

  [[nodiscard]] bool Identifiable() const override { return fd_ >= 0; }
  // The size when opened.
  [[nodiscard]] uint64_t Size() const override { return size_; }
  [[nodiscard]] bool Holds(const InputMark& mark) const override;
  [[nodiscard]] bool StartsLike(const InputMark& mark) const override;

  // The mark of position (`offset`, `line`): with its windows' hashes for a file, without for
  // standard input; the reason when the file cannot be read.
  [[nodiscard]] Result<InputMark> Mark(uint64_t offset, uint64_t line) const;

 private:
  InputFileView(std::string path, int fd, uint64_t size);
  // Hex SHA-256 of bytes [from, to); false when they cannot all be read.
  bool Hash(uint64_t from, uint64_t to, std::string& hex) const;

  std::string path_;
  int fd_;
  uint64_t size_;
  mutable std::string chunk_;
};

}  // namespace cx
