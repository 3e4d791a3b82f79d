#include "sha256.h"

#include <openssl/evp.h>

#include <cstdint>

namespace telinject {
namespace {

std::string to_hex(const unsigned char* digest, unsigned length) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(length * 2, '0');
  for (unsigned i = 0; i < length; ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 0xf];
  }
  return out;
}

// OpenSSL 3 looks the algorithm up again on every init with EVP_sha256() (locks, property
// queries): more than hashing a short string costs. Fetch it once; freed at exit.
const EVP_MD* sha256_algorithm() {
  static const struct Fetched {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    ~Fetched() { EVP_MD_free(md); }
  } fetched;
  return fetched.md ? fetched.md : EVP_sha256();
}

}  // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), sha256_algorithm(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }

Sha256& Sha256::add(std::string_view part) {
  auto* ctx = static_cast<EVP_MD_CTX*>(context_);
  uint64_t size = part.size();
  unsigned char prefix[8];
  for (int i = 0; i < 8; ++i) prefix[i] = static_cast<unsigned char>(size >> (8 * i));
  EVP_DigestUpdate(ctx, prefix, sizeof prefix);
  EVP_DigestUpdate(ctx, part.data(), part.size());
  return *this;
}

std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), digest, &length);
  return to_hex(digest, length);
}

namespace {

// SHA-256 of `data` into `digest` (32 bytes), with one context per thread reset between uses.
unsigned digest_of(std::string_view data, unsigned char* digest) {
  unsigned length = 0;
  thread_local struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  } context;
  EVP_DigestInit_ex(context.ctx, sha256_algorithm(), nullptr);
  EVP_DigestUpdate(context.ctx, data.data(), data.size());
  EVP_DigestFinal_ex(context.ctx, digest, &length);
  return length;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = digest_of(data, digest);
  return to_hex(digest, length);
}

std::string sha256_bytes(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = digest_of(data, digest);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace telinject
