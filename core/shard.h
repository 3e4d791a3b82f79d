// Shard: a deterministic share of a run's files, so that N CI jobs (`--shard I/N`) each take
// theirs and together do exactly what one run does.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "result.h"

namespace telinject {

/// Shard `index` of `count`, 1-based as jest's and Playwright's `--shard=I/N` and GitLab's
/// CI_NODE_INDEX / CI_NODE_TOTAL: 1 <= index <= count.
struct Shard {
  uint32_t index = 1;
  uint32_t count = 1;
};

/// Reads "I/N" (1 <= I <= N <= 65536, decimal digits only); an error saying what is wrong.
Result<Shard> parse_shard(std::string_view text);

/// Whether the file at `key` (its path relative to the project root, '/'-separated) belongs to
/// `shard`: the first 8 bytes of SHA-256(key), as a number, modulo count, equal index - 1. The
/// same on every machine, whatever the order of the scan.
bool shard_takes(const Shard& shard, std::string_view key);

/// Decides by file path. The project root of a file is the nearest folder above it holding
/// `.git` (a folder or a worktree's file); without one, the folder the run was given
/// (`scan_root`). Paths are made absolute and normal, not resolved through links, so the
/// answer does not depend on the working directory. Not thread-safe (remembers each folder's
/// root).
class ShardFilter {
 public:
  explicit ShardFilter(Shard shard) : shard_(shard) {}
  bool takes(const std::filesystem::path& file, const std::filesystem::path& scan_root);
  /// The path `takes` hashes, for tests and messages.
  std::string key_of(const std::filesystem::path& file, const std::filesystem::path& scan_root);

 private:
  std::filesystem::path project_root(const std::filesystem::path& folder);
  Shard shard_;
  std::map<std::filesystem::path, std::filesystem::path> roots_;  // folder -> root ("": none)
};

}  // namespace telinject
