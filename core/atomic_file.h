// Whole-file reads and atomic writes: a reader sees the old file or the new one, never a part.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "result.h"

namespace telinject {

/// Writes `bytes` to a temporary file beside `target` and renames it over `target`. With
/// `durable`, the file and its directory are fsync'ed first. Keeps the permissions of an existing
/// target unless `mode` is given. On failure the target is untouched and no temporary file is
/// left. The parent directory must exist.
Result<void> write_file_atomically(const std::filesystem::path& target, std::string_view bytes,
                                   std::optional<std::filesystem::perms> mode = std::nullopt,
                                   bool durable = true);

/// The whole file, or an error naming the path and the reason.
Result<std::string> read_file(const std::filesystem::path& path);

}  // namespace telinject
