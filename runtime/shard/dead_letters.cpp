#include "runtime/shard/dead_letters.h"

#include <openssl/sha.h>

namespace cx {

void SetDeadLetterOriginal(std::string_view bytes, DeadLetter& dead_letter) {
  if (bytes.size() <= kMaxDeadLetterOriginalBytes) {
    dead_letter.original.assign(bytes.data(), bytes.size());
    dead_letter.original_size = 0;
    dead_letter.original_sha256.clear();
    return;
  }
  size_t keep = kMaxDeadLetterOriginalBytes;
  // Never cut inside a multi-byte character: a valid UTF-8 prefix stays a JSON string.
  for (int back = 0; back < 3 && keep > 0; ++back) {
    if ((static_cast<unsigned char>(bytes[keep]) & 0xC0) != 0x80) break;
    --keep;
  }
  dead_letter.original.assign(bytes.data(), keep);
  dead_letter.original_size = bytes.size();
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  constexpr char kHex[] = "0123456789abcdef";
  dead_letter.original_sha256.clear();
  dead_letter.original_sha256.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char byte : digest) {
    dead_letter.original_sha256 += kHex[byte >> 4];
    dead_letter.original_sha256 += kHex[byte & 0x0F];
  }
}

}  // namespace cx
