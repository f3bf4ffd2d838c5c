#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace cx {

// Reads a JSON Lines file in large chunks into one buffer that always has `kPadding` readable
// bytes after the last byte read, so every line handed out can be parsed in place by simdjson
// (the same precondition as Decoder::DecodePadded). Benchmark helper; not thread-safe.
class PaddedLines {
 public:
  static constexpr size_t kPadding = 64;

  // Opens `path`; null with a reason in `error` when it cannot.
  static std::unique_ptr<PaddedLines> Open(const std::string& path, std::string& error);
  ~PaddedLines();
  PaddedLines(const PaddedLines&) = delete;
  PaddedLines& operator=(const PaddedLines&) = delete;

  // The next line without its "\n", valid until the next call. False at the end.
  [[nodiscard]] bool Next(std::string_view& line);
  [[nodiscard]] uint64_t bytes_read() const { return bytes_read_; }

 private:
  explicit PaddedLines(FILE* file);
  bool Fill();

  FILE* file_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t bytes_read_ = 0;
};

}  // namespace cx
