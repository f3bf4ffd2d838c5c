#include "runtime/replay/input_file_view.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cx {

Result<std::unique_ptr<InputFileView>> InputFileView::Open(const std::string& path) {
  if (path == "-") {
    return std::unique_ptr<InputFileView>(new InputFileView(path, -1, 0));
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    Err error("cannot open input " + path + ": " + std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return error;
  }
  return std::unique_ptr<InputFileView>(
      new InputFileView(path, fd, static_cast<uint64_t>(st.st_size)));
}

InputFileView::InputFileView(std::string path, int fd, uint64_t size)
    : path_(std::move(path)), fd_(fd), size_(size) {}

InputFileView::~InputFileView() {
  if (fd_ >= 0) ::close(fd_);
}

bool InputFileView::Hash(uint64_t from, uint64_t to, std::string& hex) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return false;
  }
  chunk_.resize(kInputWindowBytes);
  while (from < to) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(to - from, chunk_.size()));
    ssize_t n = ::pread(fd_, chunk_.data(), want, static_cast<off_t>(from));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || EVP_DigestUpdate(ctx.get(), chunk_.data(), static_cast<size_t>(n)) != 1) {
      return false;
    }
    from += static_cast<uint64_t>(n);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) {
    return false;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  hex.clear();
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0F];
  }
  return true;
}

Result<InputMark> InputFileView::Mark(uint64_t offset, uint64_t line) const {
  InputMark mark;
  mark.path = path_;
  mark.offset = offset;
  mark.line = line;
  if (fd_ < 0) {
    return mark;
  }
  uint64_t window = std::min(offset, kInputWindowBytes);
  if (!Hash(0, window, mark.head_sha) || !Hash(offset - window, offset, mark.tail_sha)) {
    return Err("cannot read input " + path_ + " again to record its position (it changed?)");
  }
  return mark;
}

bool InputFileView::StartsLike(const InputMark& mark) const {
  uint64_t window = std::min(mark.offset, kInputWindowBytes);
  std::string head;
  return fd_ >= 0 && mark.HasIdentity() && size_ >= window && Hash(0, window, head) &&
         head == mark.head_sha;
}

bool InputFileView::Holds(const InputMark& mark) const {
  uint64_t window = std::min(mark.offset, kInputWindowBytes);
  std::string tail;
  return size_ >= mark.offset && StartsLike(mark) &&
         Hash(mark.offset - window, mark.offset, tail) && tail == mark.tail_sha;
}

}  // namespace cx
