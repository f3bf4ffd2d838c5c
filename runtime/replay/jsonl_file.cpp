#include "runtime/replay/jsonl_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "runtime/shard/thread_name.h"

namespace cx {
namespace {

constexpr size_t kFlushAt = 1 << 20;

}  // namespace

Result<std::unique_ptr<JsonLinesFile>> JsonLinesFile::Open(const std::string& path) {
  if (path == "-") {
    return std::unique_ptr<JsonLinesFile>(new JsonLinesFile(stdout, false, "<stdout>"));
  }
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return Err("cannot create " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<JsonLinesFile>(new JsonLinesFile(file, true, path));
}

Result<std::unique_ptr<JsonLinesFile>> JsonLinesFile::OpenAt(const std::string& path,
                                                             uint64_t length) {
  if (path == "-") {
    return Open(path);
  }
  FILE* file = std::fopen(path.c_str(), "r+b");
  struct stat st {};
  std::string error;
  if (file == nullptr || ::fstat(::fileno(file), &st) != 0) {
    error = "cannot open " + path + " to continue it: " + std::strerror(errno);
  } else if (static_cast<uint64_t>(st.st_size) < length) {
    error = fmt::format("{} has {} bytes, fewer than the {} the interrupted replay committed", path,
                        st.st_size, length);
  } else if (::ftruncate(::fileno(file), static_cast<off_t>(length)) != 0 ||
             ::fseeko(file, static_cast<off_t>(length), SEEK_SET) != 0) {
    error = "cannot truncate " + path + " to its committed length: " + std::strerror(errno);
  } else {
    return std::unique_ptr<JsonLinesFile>(new JsonLinesFile(file, true, path, length));
  }
  if (file != nullptr) {
    std::fclose(file);
  }
  return Err(std::move(error));
}

JsonLinesFile::JsonLinesFile(FILE* file, bool owned, std::string path, uint64_t written)
    : file_(file), owned_(owned), path_(std::move(path)), written_(written) {
  buffer_.reserve(kFlushAt + 64 * 1024);
  writing_.reserve(kFlushAt + 64 * 1024);
  writer_ = std::thread(&JsonLinesFile::RunWriter, this);
}

JsonLinesFile::~JsonLinesFile() { (void)Close(); }

void JsonLinesFile::EndLine() {
  buffer_.push_back('\n');
  ++lines_;
  if (buffer_.size() >= kFlushAt) {
    HandOver();
  }
}

void JsonLinesFile::AppendLines(std::string_view lines, uint64_t count) {
  buffer_.append(lines);
  lines_ += count;
  if (buffer_.size() >= kFlushAt) {
    HandOver();
  }
}

void JsonLinesFile::HandOver() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !handed_; });
  written_ += buffer_.size();
  buffer_.swap(writing_);
  buffer_.clear();
  handed_ = true;
  changed_.notify_all();
}

void JsonLinesFile::AwaitWritten() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !handed_; });
}

bool JsonLinesFile::WriteBytes(const std::string& bytes) {
  return std::fwrite(bytes.data(), 1, bytes.size(), file_) == bytes.size();
}

void JsonLinesFile::RunWriter() {
  NameThisThread("cx-write");
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return handed_ || stopping_; });
    if (!handed_) {
      return;  // stopping, and everything handed over is written
    }
    const bool failed_before = failed_;
    lock.unlock();
    const bool written = failed_before || WriteBytes(writing_);
    const int error = errno;
    writing_.clear();
    lock.lock();
    if (!written && !failed_) {
      failed_ = true;
      error_ = error;
    }
    handed_ = false;
    changed_.notify_all();
  }
}

Result<void> JsonLinesFile::Status() {
  std::lock_guard lock(mutex_);
  return StatusLocked();
}

Result<void> JsonLinesFile::StatusLocked() const {
  if (failed_) {
    return Err("cannot write " + path_ + ": " + std::strerror(error_));
  }
  return Ok();
}

Result<void> JsonLinesFile::Flush(bool sync) {
  if (file_ == nullptr) {
    return Status();
  }
  AwaitWritten();
  std::lock_guard lock(mutex_);  // the writing thread is idle: the file is this thread's
  written_ += buffer_.size();
  if (!failed_ && (!WriteBytes(buffer_) || std::fflush(file_) != 0 ||
                   (sync && owned_ && ::fsync(::fileno(file_)) != 0))) {
    failed_ = true;
    error_ = errno;
  }
  buffer_.clear();
  return StatusLocked();
}

Result<void> JsonLinesFile::Close() {
  if (file_ == nullptr) {
    return Status();
  }
  (void)Flush(false);  // an error stays in failed_
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    changed_.notify_all();
  }
  writer_.join();
  std::lock_guard lock(mutex_);
  if (owned_ && std::fclose(file_) != 0 && !failed_) {
    failed_ = true;
    error_ = errno;
  }
  file_ = nullptr;
  return StatusLocked();
}

}  // namespace cx
