// What a telinject cache directory holds, recognised by name and content, so that `cache clear`
// and `cache prune` delete only what telinject wrote: `--cache-dir .` names a project whose
// `tests/` and `scripts/` are the user's own (issue 14).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "result.h"

namespace telinject {

/// The `.gitignore` telinject writes into a cache directory it makes.
inline constexpr std::string_view kCacheGitignore =
    "# Made by telinject: the cache is never committed.\n*\n";

/// Succeeds when `root` may be treated as a telinject cache: it does not exist, is an empty
/// directory, holds the `.gitignore` telinject writes (kCacheGitignore), or holds a
/// `metadata/cache_index.json` telinject wrote. Otherwise an error naming `root` and saying that
/// nothing was deleted. Reads at most two small files.
Result<void> check_cache_directory(const std::filesystem::path& root);

/// Whether `relative` (a path below the cache root) has the name of an entry telinject writes:
///   scripts/<language>/<name>_<hash8>.json, tests/<language>/test_<name>_<hash8>.json,
///   files/<hash2>/<hash64>.json, metadata/cache_index.json, metadata/lock.
bool is_cache_entry_name(const std::filesystem::path& relative);

/// Whether the file at `path` holds what telinject writes for an entry of that name: a JSON
/// object starting with its "checksum" field (a test's "checks"), or a prefix of one (an entry
/// torn by a crash),
/// or, for metadata/lock and metadata/cache_index.json, anything. Reads at most 16 bytes.
bool has_cache_entry_content(const std::filesystem::path& path,
                             const std::filesystem::path& relative);

struct CacheRemoval {
  uint64_t removed = 0;  // files deleted
  uint64_t kept = 0;     // files below scripts/, tests/, files/ or metadata/ left alone
};

/// Deletes below `root` the files of scripts/, tests/, files/ and metadata/ that are telinject's
/// entries (is_cache_entry_name and has_cache_entry_content) or temporary files of dead
/// processes (atomic_file.h), then the folders left empty. Any other file stays, with its
/// folders. Call check_cache_directory first. Returns the first error that stopped it.
Result<CacheRemoval> remove_cache_entries(const std::filesystem::path& root);

}  // namespace telinject
