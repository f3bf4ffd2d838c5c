#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "schemas/result.h"

namespace cx {

// An output file of JSON Lines ("-" = standard output), written through a large buffer.
// Close() (or the destructor) flushes; a write error is reported by Close().
class JsonLinesFile {
 public:
  // Creates or truncates `path`, or the one-line reason it cannot.
  [[nodiscard]] static Result<std::unique_ptr<JsonLinesFile>> Open(const std::string& path);
  // Opens the existing `path` to continue it after its first `length` bytes (what an
  // interrupted replay committed), dropping whatever follows. Fails when the file is missing or
  // shorter. "-" is standard output, continued as is (it cannot be truncated).
  [[nodiscard]] static Result<std::unique_ptr<JsonLinesFile>> OpenAt(const std::string& path,
                                                                     uint64_t length);
  ~JsonLinesFile();
  JsonLinesFile(const JsonLinesFile&) = delete;
  JsonLinesFile& operator=(const JsonLinesFile&) = delete;

  // The line buffer callers append one record to, then call EndLine().
  [[nodiscard]] std::string& buffer() { return buffer_; }
  // Terminates the record in buffer() with "\n" and writes out the buffer when it is large.
  void EndLine();
  // Writes out everything so far (to the kernel; also to the disk when `sync`), so that bytes()
  // survive this process being killed. The reason on a write error.
  [[nodiscard]] Result<void> Flush(bool sync);
  // Bytes in the file once everything appended so far is written out.
  [[nodiscard]] uint64_t bytes() const { return written_ + buffer_.size(); }
  // Flushes everything and closes the file; the reason on a write error.
  [[nodiscard]] Result<void> Close();
  [[nodiscard]] uint64_t lines() const { return lines_; }

 private:
  JsonLinesFile(FILE* file, bool owned, std::string path, uint64_t written = 0);
  void WriteOut();
  // Ok, or the write error that set failed_.
  [[nodiscard]] Result<void> Status() const;

  FILE* file_;
  bool owned_;
  std::string path_;
  std::string buffer_;
  uint64_t lines_ = 0;
  uint64_t written_ = 0;
  bool failed_ = false;
};

}  // namespace cx
