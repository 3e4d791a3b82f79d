// SHA-256 over byte strings (OpenSSL), for cache keys and entry checksums.
#pragma once

#include <string>
#include <string_view>

namespace telinject {

/// Incremental SHA-256. Feed parts with `add`; `hex()` finishes and returns 64 lowercase hex
/// digits. Parts are length-prefixed, so ("ab","c") and ("a","bc") hash differently.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256& add(std::string_view part);
  std::string hex();

 private:
  void* context_;  // EVP_MD_CTX*, kept opaque so OpenSSL headers stay out of core's API.
};

/// SHA-256 of `data` alone (no length prefix), as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);
/// The same digest as 32 raw bytes.
std::string sha256_bytes(std::string_view data);

}  // namespace telinject
