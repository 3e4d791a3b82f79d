// Whole-file reads and atomic writes: a reader sees the old file or the new one, never a part.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "result.h"

namespace telinject {

/// Writes `bytes` to a temporary file beside `target` and renames it over `target`. With
/// `durable`, the file and its directory are fsync'ed first. Keeps the permissions of an existing
/// target unless `mode` is given, and, when run as root, its owner and group. A symbolic link at
/// `target` is replaced, never written through. Other hard links to an existing target keep the
/// old bytes (the new file is a new inode). On failure the target is untouched and no temporary
/// file is left. The parent directory must exist.
Result<void> write_file_atomically(const std::filesystem::path& target, std::string_view bytes,
                                   std::optional<std::filesystem::perms> mode = std::nullopt,
                                   bool durable = true);

/// Makes durable everything written so far to the file system that holds `directory` (syncfs):
/// one call after many write_file_atomically(…, durable = false), instead of two fsyncs per file.
Result<void> sync_file_system(const std::filesystem::path& directory);

/// What a file was when it was read: enough to notice most changes since, without reading it.
struct FileStamp {
  uint64_t device = 0, inode = 0, size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

/// write_file_atomically (durable, keeping permissions and owner), done only when `target` still
/// is the file read with `stamp` and still holds `expected`: both are checked right before the
/// rename. Otherwise an error saying the file changed while it was processed, and the target
/// keeps whatever the other writer put there. (An edit landing between that check and the
/// rename, a window of microseconds, is still lost.)
Result<void> replace_file_if_unchanged(const std::filesystem::path& target, std::string_view bytes,
                                       std::string_view expected, const FileStamp& stamp);

/// The process id in the name of a temporary file that write_file_atomically makes
/// (".<name>.telinject-<pid>-<counter>-<random>.tmp"), or nothing for any other name.
std::optional<pid_t> temporary_file_pid(std::string_view filename);

/// Deletes in `directory` (not below it) the temporary files of write_file_atomically whose
/// process is no longer alive (left by a kill -9 or a power cut); a file of a live process, of
/// this one, or of any other name stays. Returns how many were deleted; errors are ignored.
uint64_t remove_stale_temporary_files(const std::filesystem::path& directory);

/// The whole file, or an error naming the path and the reason. With `stamp`, also what the file
/// was when it was opened (for replace_file_if_unchanged).
Result<std::string> read_file(const std::filesystem::path& path, FileStamp* stamp = nullptr);

}  // namespace telinject
