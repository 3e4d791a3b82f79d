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

/// The mark telinject's store carries in its header (PRAGMA application_id): "TINJ".
inline constexpr int kCacheApplicationId = 0x54494E4A;

/// Succeeds when `root` may be treated as a telinject cache: it does not exist, is an empty
/// directory, holds the `.gitignore` telinject writes (kCacheGitignore), a `cache.sqlite3` with
/// telinject's mark (kCacheApplicationId), or a `metadata/cache_index.json` an earlier version
/// wrote. Otherwise an error naming `root` and saying that nothing was deleted. Reads at most
/// three small files or file headers.
Result<void> check_cache_directory(const std::filesystem::path& root);

/// Whether `path` is an SQLite database whose header carries kCacheApplicationId. Reads 72 bytes.
bool is_telinject_store(const std::filesystem::path& path);

/// Whether `name` may be a language folder in the cache's layouts: [a-z0-9_+-]+.
bool is_cache_language_name(std::string_view name);

/// Whether `relative` (a path below the cache root) has the name of an entry file earlier
/// versions wrote (one file per entry; the store replaced them):
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

/// Deletes below `root` the files of scripts/, tests/, files/ and metadata/ that are entries of
/// earlier versions (is_cache_entry_name and has_cache_entry_content) or temporary files of dead
/// processes (atomic_file.h), then the folders left empty. Any other file stays, with its
/// folders. Call check_cache_directory first. Returns the first error that stopped it.
Result<CacheRemoval> remove_cache_entries(const std::filesystem::path& root);

}  // namespace telinject
