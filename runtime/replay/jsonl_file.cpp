#include "runtime/replay/jsonl_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

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
}

JsonLinesFile::~JsonLinesFile() { (void)Close(); }

void JsonLinesFile::EndLine() {
  buffer_.push_back('\n');
  ++lines_;
  if (buffer_.size() >= kFlushAt) {
    WriteOut();
  }
}

void JsonLinesFile::WriteOut() {
  if (!buffer_.empty() && file_ != nullptr && !failed_) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
      failed_ = true;
    }
    written_ += buffer_.size();
  }
  buffer_.clear();
}

Result<void> JsonLinesFile::Status() const {
  if (failed_) {
    return Err("cannot write " + path_ + ": " + std::strerror(errno));
  }
  return Ok();
}

Result<void> JsonLinesFile::Flush(bool sync) {
  if (file_ != nullptr) {
    WriteOut();
    if (std::fflush(file_) != 0 || (sync && owned_ && ::fsync(::fileno(file_)) != 0)) {
      failed_ = true;
    }
  }
  return Status();
}

Result<void> JsonLinesFile::Close() {
  if (file_ == nullptr) {
    return Status();
  }
  WriteOut();
  if (std::fflush(file_) != 0) {
    failed_ = true;
  }
  if (owned_ && std::fclose(file_) != 0) {
    failed_ = true;
  }
  file_ = nullptr;
  return Status();
}

}  // namespace cx
