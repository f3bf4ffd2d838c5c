#include "runtime/replay/jsonl_file.h"

#include <cerrno>
#include <cstring>

namespace cx {
namespace {

constexpr size_t kFlushAt = 1 << 20;

}  // namespace

std::unique_ptr<JsonLinesFile> JsonLinesFile::Open(const std::string& path, std::string& error) {
  if (path == "-") {
    return std::unique_ptr<JsonLinesFile>(new JsonLinesFile(stdout, false, "<stdout>"));
  }
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    error = "cannot create " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<JsonLinesFile>(new JsonLinesFile(file, true, path));
}

JsonLinesFile::JsonLinesFile(FILE* file, bool owned, std::string path)
    : file_(file), owned_(owned), path_(std::move(path)) {
  buffer_.reserve(kFlushAt + 64 * 1024);
}

JsonLinesFile::~JsonLinesFile() {
  std::string ignored;
  (void)Close(ignored);
}

void JsonLinesFile::EndLine() {
  buffer_.push_back('\n');
  ++lines_;
  if (buffer_.size() >= kFlushAt) {
    WriteOut();
  }
}

bool JsonLinesFile::WriteOut() {
  if (!buffer_.empty() && file_ != nullptr && !failed_) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
      failed_ = true;
    }
  }
  buffer_.clear();
  return !failed_;
}

bool JsonLinesFile::Close(std::string& error) {
  if (file_ == nullptr) {
    return !failed_;
  }
  WriteOut();
  if (std::fflush(file_) != 0) {
    failed_ = true;
  }
  if (owned_ && std::fclose(file_) != 0) {
    failed_ = true;
  }
  file_ = nullptr;
  if (failed_) {
    error = "cannot write " + path_ + ": " + std::strerror(errno);
  }
  return !failed_;
}

}  // namespace cx
