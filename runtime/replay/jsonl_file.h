#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "schemas/result.h"

namespace cx {

// An output file of JSON Lines ("-" = standard output), written through a large buffer. Full
// buffers are written out on a thread of its own while the caller fills the next one (writing
// to the kernel, or into a pipe a reader empties at its own pace, was a few per cent of a replay
// and all of a generator's waits). Close() (or the destructor) flushes; a write error is
// reported by Flush() or Close(). The methods are for one thread.
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
  // Terminates the record in buffer() with "\n" and hands the buffer to the writing thread
  // when it is large (waiting for the one before to be written).
  void EndLine();
  // Appends `count` whole records, each already terminated with "\n" (as EndLine would have).
  void AppendLines(std::string_view lines, uint64_t count);
  // Writes out everything so far (to the kernel; also to the disk when `sync`), so that bytes()
  // survive this process being killed. The reason on a write error, here or on the writing
  // thread before.
  [[nodiscard]] Result<void> Flush(bool sync);
  // Bytes in the file once everything appended so far is written out.
  [[nodiscard]] uint64_t bytes() const { return written_ + buffer_.size(); }
  // Flushes everything and closes the file; the reason on a write error.
  [[nodiscard]] Result<void> Close();
  [[nodiscard]] uint64_t lines() const { return lines_; }

 private:
  JsonLinesFile(FILE* file, bool owned, std::string path, uint64_t written = 0);
  // Hands buffer_ to the writing thread (after the buffer before it is written).
  void HandOver();
  // Waits until the writing thread has written what it was handed; then the file is this
  // thread's until the next HandOver.
  void AwaitWritten();
  // Writes `bytes` to file_ (from either thread, never both at once); false on an error.
  bool WriteBytes(const std::string& bytes);
  // The writing thread.
  void RunWriter();
  // Ok, or the first write error.
  [[nodiscard]] Result<void> Status();
  // Status() with mutex_ held.
  [[nodiscard]] Result<void> StatusLocked() const;

  FILE* file_;
  bool owned_;
  std::string path_;
  std::string buffer_;  // what callers append to
  uint64_t lines_ = 0;
  uint64_t written_ = 0;  // bytes handed over or written, in the file before buffer_

  std::mutex mutex_;
  std::condition_variable changed_;
  std::string writing_;    // handed to the writing thread; its own while `handed_`
  bool handed_ = false;    // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  bool failed_ = false;    // guarded by mutex_
  int error_ = 0;          // errno of the first failed write; guarded by mutex_
  std::thread writer_;
};

}  // namespace cx
