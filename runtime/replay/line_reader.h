#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "schemas/result.h"

namespace cx {

// How a LineReader reads a regular file.
enum class InputCaching {
  // Past the kernel's page cache (O_DIRECT) when the file is larger than a quarter of the
  // memory this process can use (the machine's, or its cgroup's limit: AvailableMemoryBytes),
  // which the page cache could not keep anyway: the kernel then neither copies each page out
  // of its cache nor reclaims the cache behind the reader (in a 10 M-customer replay the
  // reading thread spent more CPU on that than on decoding; bench/RESULTS.md, "the input read
  // past the page cache"). Through the page cache otherwise, and wherever the filesystem
  // refuses O_DIRECT (tmpfs).
  kAuto,
  // Past the page cache whenever the filesystem allows it (tests).
  kBypass,
  // Always through the page cache.
  kUse,
};

// Reads a JSON Lines file (or standard input for "-") line by line with large reads. Lines are
// returned without their "\n" (and without a trailing "\r"). Not thread-safe.
class LineReader {
 public:
  // Opens `path`, or the one-line reason it cannot.
  [[nodiscard]] static Result<std::unique_ptr<LineReader>> Open(
      const std::string& path, InputCaching caching = InputCaching::kAuto);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Sets `line` to the next line, valid until the next call, and returns true; false at the
  // end of the input; the reason on a read error.
  [[nodiscard]] Result<bool> Next(std::string_view& line);
  // Like Next, when the next line is whole in what was read already; false (and nothing
  // consumed) when Next would have to read, and perhaps wait for, more input.
  [[nodiscard]] bool NextBuffered(std::string_view& line);
  // 1-based number of the line last returned.
  [[nodiscard]] uint64_t line_number() const { return line_number_; }
  [[nodiscard]] uint64_t bytes_read() const { return bytes_read_; }
  // Bytes of the input up to the end of the line last returned (with its "\n").
  [[nodiscard]] uint64_t offset() const { return bytes_read_ - (end_ - begin_); }
  // Whether the file is read past the page cache (InputCaching).
  [[nodiscard]] bool direct() const { return direct_; }
  // Continues a file (not standard input) at byte `offset`, the start of line `line` + 1:
  // the position offset() and line_number() gave before. Call before the first Next().
  // The reason when it cannot (standard input, a seek error).
  [[nodiscard]] Result<void> SkipTo(uint64_t offset, uint64_t line);

 private:
  struct FreeBuffer {
    void operator()(char* p) const { std::free(p); }
  };
  using Buffer = std::unique_ptr<char[], FreeBuffer>;

  LineReader(int fd, bool owned, bool direct);
  // Reads more input; false at its end, the reason on a read error.
  Result<bool> Fill();
  // Returns the line that ends at buffer_[newline] ("\n") and moves past it.
  void TakeLine(size_t newline, std::string_view& line);

  int fd_;
  bool owned_;
  bool direct_;
  Buffer buffer_;
  size_t capacity_ = 0;
  size_t begin_ = 0;  // start of unread data in buffer_
  size_t end_ = 0;    // end of valid data in buffer_
  size_t skip_ = 0;   // bytes of the next read before the position SkipTo asked for
  bool eof_ = false;
  uint64_t line_number_ = 0;
  uint64_t bytes_read_ = 0;
};

}  // namespace cx
