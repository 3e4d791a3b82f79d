#include "atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <random>

namespace telinject {
namespace {

std::string describe(const std::filesystem::path& path, const char* what) {
  return path.string() + ": " + what + ": " + std::strerror(errno);
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string temp_name(const std::filesystem::path& target) {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 random{std::random_device{}()};
  return "." + target.filename().string() + ".telinject-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter.fetch_add(1)) + "-" + std::to_string(random() % 1000000) + ".tmp";
}

FileStamp stamp_of(const struct stat& info) {
  return {static_cast<uint64_t>(info.st_dev), static_cast<uint64_t>(info.st_ino),
          static_cast<uint64_t>(info.st_size),
          static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec};
}

// The temporary file, then `before_rename` (an error there leaves the target alone), then the
// rename.
Result<void> write_and_rename(const std::filesystem::path& target, std::string_view bytes,
                              std::optional<std::filesystem::perms> mode, bool durable,
                              const std::function<Result<void>()>& before_rename) {
  std::filesystem::path directory = target.has_parent_path() ? target.parent_path() : ".";
  std::filesystem::path temp = directory / temp_name(target);
  mode_t permissions = 0644;
  struct stat existing {};
  const bool exists = ::stat(target.c_str(), &existing) == 0;
  if (mode) {
    permissions = static_cast<mode_t>(*mode) & 07777;
  } else if (exists) {
    permissions = existing.st_mode & 07777;
  } else {
    mode_t mask = ::umask(0);
    ::umask(mask);
    permissions = 0666 & ~mask;
  }
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(describe(target, "cannot create a temporary file"));
  bool ok = write_all(fd, bytes);
  // Root replacing a user's file must not hand it to root. Set before the mode: chown clears
  // set-user-ID bits.
  if (ok && exists && ::geteuid() == 0 &&
      (existing.st_uid != ::geteuid() || existing.st_gid != ::getegid()))
    ok = ::fchown(fd, existing.st_uid, existing.st_gid) == 0;
  if (ok) ok = ::fchmod(fd, permissions) == 0;
  if (ok && durable) ok = ::fsync(fd) == 0;
  std::string failure = ok ? "" : describe(target, "cannot write");
  if (::close(fd) != 0 && ok) {
    ok = false;
    failure = describe(target, "cannot close");
  }
  if (ok && before_rename) {
    Result<void> allowed = before_rename();
    if (!allowed.ok()) {
      ok = false;
      failure = allowed.error();
    }
  }
  if (ok && ::rename(temp.c_str(), target.c_str()) != 0) {
    ok = false;
    failure = describe(target, "cannot replace");
  }
  if (!ok) {
    ::unlink(temp.c_str());
    return make_error(failure);
  }
  if (durable) {
    int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
  }
  return {};
}

}  // namespace

Result<void> sync_file_system(const std::filesystem::path& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return make_error(directory.string() + ": " + std::strerror(errno));
  int synced = ::syncfs(fd);
  int error = errno;
  ::close(fd);
  if (synced != 0) return make_error(directory.string() + ": " + std::strerror(error));
  return {};
}

Result<void> write_file_atomically(const std::filesystem::path& target, std::string_view bytes,
                                   std::optional<std::filesystem::perms> mode, bool durable) {
  return write_and_rename(target, bytes, mode, durable, nullptr);
}

Result<void> replace_file_if_unchanged(const std::filesystem::path& target, std::string_view bytes,
                                       std::string_view expected, const FileStamp& stamp) {
  auto unchanged = [&]() -> Result<void> {
    const std::string changed =
        target.string() +
        ": changed while telinject processed it; left with that change (run again)";
    struct stat now {};
    if (::lstat(target.c_str(), &now) != 0 || !(stamp_of(now) == stamp)) return make_error(changed);
    // The stamp misses an edit within the clock's tick that keeps the size: compare the bytes.
    auto current = read_file(target);
    if (!current.ok() || *current != expected) return make_error(changed);
    return {};
  };
  return write_and_rename(target, bytes, std::nullopt, true, unchanged);
}

std::optional<pid_t> temporary_file_pid(std::string_view filename) {
  constexpr std::string_view kMarker = ".telinject-", kSuffix = ".tmp";
  if (!filename.starts_with('.') || !filename.ends_with(kSuffix)) return std::nullopt;
  size_t marker = filename.rfind(kMarker);
  if (marker == std::string_view::npos || marker < 2) return std::nullopt;  // ".x" at least
  std::string_view rest = filename.substr(marker + kMarker.size());
  rest.remove_suffix(kSuffix.size());
  // <pid>-<counter>-<random>: three runs of digits.
  uint64_t numbers[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
      if (digits == 18) return std::nullopt;
      numbers[i] = numbers[i] * 10 + static_cast<uint64_t>(rest[digits] - '0');
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    rest.remove_prefix(digits);
    if (i < 2) {
      if (!rest.starts_with('-')) return std::nullopt;
      rest.remove_prefix(1);
    }
  }
  if (!rest.empty() || numbers[0] == 0 || numbers[0] > INT32_MAX) return std::nullopt;
  return static_cast<pid_t>(numbers[0]);
}

uint64_t remove_stale_temporary_files(const std::filesystem::path& directory) {
  uint64_t removed = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(directory, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::optional<pid_t> pid = temporary_file_pid(it->path().filename().string());
    if (!pid || *pid == ::getpid()) continue;
    // EPERM: alive, owned by someone else. A reused pid keeps a stale file: the safe side.
    if (::kill(*pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    if (it->is_regular_file(ignored) && std::filesystem::remove(it->path(), ignored)) ++removed;
  }
  return removed;
}

Result<std::string> read_file(const std::filesystem::path& path, FileStamp* stamp) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(describe(path, "cannot open"));
  std::string out;
  struct stat info {};
  if (::fstat(fd, &info) == 0) {
    if (info.st_size > 0) out.reserve(static_cast<size_t>(info.st_size));
    if (stamp) *stamp = stamp_of(info);
  } else if (stamp) {
    *stamp = {};  // never equal to a real file's: a later replace is refused
  }
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string failure = describe(path, "cannot read");
      ::close(fd);
      return make_error(failure);
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace telinject
