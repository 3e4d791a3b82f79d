#include "atomic_file.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_support.h"

using namespace telinject;
using telinject::testing::read_text;
using telinject::testing::TempDir;
using telinject::testing::write_text;
namespace fs = std::filesystem;

namespace {

// A process id that is certainly not alive: a child that has exited and been reaped.
pid_t dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

}  // namespace

TEST_SUITE("atomic_file") {
  TEST_CASE("replace_file_if_unchanged refuses a file edited since it was read") {
    TempDir dir;
    fs::path file = dir / "a.py";
    write_text(file, "old\n");
    FileStamp stamp;
    auto read = read_file(file, &stamp);
    REQUIRE(read.ok());

    SUBCASE("unchanged: replaced") {
      REQUIRE(replace_file_if_unchanged(file, "new\n", *read, stamp).ok());
      CHECK(read_text(file) == "new\n");
    }
    SUBCASE("edited in place, same size and time: the bytes tell") {
      auto time = fs::last_write_time(file);
      write_text(file, "mine");
      write_text(file, "MIN\n");
      fs::last_write_time(file, time);
      auto refused = replace_file_if_unchanged(file, "new\n", *read, stamp);
      REQUIRE_FALSE(refused.ok());
      CHECK(refused.error().find("changed while telinject processed it") != std::string::npos);
      CHECK(read_text(file) == "MIN\n");
    }
    SUBCASE("replaced by an editor's save (a new inode)") {
      REQUIRE(write_file_atomically(dir / "a.py", "saved\n").ok());
      CHECK_FALSE(replace_file_if_unchanged(file, "new\n", *read, stamp).ok());
      CHECK(read_text(file) == "saved\n");
    }
    SUBCASE("deleted") {
      fs::remove(file);
      CHECK_FALSE(replace_file_if_unchanged(file, "new\n", *read, stamp).ok());
      CHECK_FALSE(fs::exists(file));
    }
    // Never a temporary file left behind.
    for (const auto& entry : fs::directory_iterator(dir.path()))
      CHECK(entry.path().filename() == "a.py");
  }

  TEST_CASE("a symbolic link is replaced, never written through; permissions are kept") {
    TempDir dir;
    write_text(dir / "elsewhere.py", "theirs\n");
    fs::create_symlink(dir / "elsewhere.py", dir / "link.py");
    REQUIRE(write_file_atomically(dir / "link.py", "mine\n").ok());
    CHECK(read_text(dir / "elsewhere.py") == "theirs\n");
    CHECK_FALSE(fs::is_symlink(dir / "link.py"));

    write_text(dir / "x.py", "x\n");
    fs::permissions(dir / "x.py", fs::perms(0750));
    REQUIRE(write_file_atomically(dir / "x.py", "y\n").ok());
    CHECK((fs::status(dir / "x.py").permissions() & fs::perms::mask) == fs::perms(0750));
  }

  TEST_CASE("root keeps a user's file owned by the user") {
    if (::geteuid() != 0) return;  // only root can give a file away
    TempDir dir;
    write_text(dir / "u.py", "u\n");
    REQUIRE(::chown((dir / "u.py").c_str(), 4321, 4322) == 0);
    REQUIRE(write_file_atomically(dir / "u.py", "v\n").ok());
    struct stat info {};
    REQUIRE(::stat((dir / "u.py").c_str(), &info) == 0);
    CHECK(info.st_uid == 4321u);
    CHECK(info.st_gid == 4322u);
  }

  TEST_CASE("temporary file names and stale temporaries") {
    CHECK(temporary_file_pid(".a.py.telinject-123-0-456.tmp") == pid_t{123});
    CHECK(temporary_file_pid(".x.telinject-1.telinject-77-12-3.tmp") == pid_t{77});
    CHECK_FALSE(temporary_file_pid("a.py.telinject-123-0-456.tmp"));  // no leading dot
    CHECK_FALSE(temporary_file_pid(".a.py.telinject-123-0.tmp"));
    CHECK_FALSE(temporary_file_pid(".a.py.telinject-12x-0-4.tmp"));
    CHECK_FALSE(temporary_file_pid(".a.py.telinject-123-0-456.tmp~"));
    CHECK_FALSE(temporary_file_pid(".telinject-123-0-456.tmp"));

    TempDir dir;
    std::string dead = std::to_string(dead_pid());
    std::string alive = std::to_string(::getppid());
    write_text(dir / (".a.py.telinject-" + dead + "-0-1.tmp"), "partial");
    write_text(dir / (".b.py.telinject-" + alive + "-0-1.tmp"), "in progress");
    write_text(dir / (".c.py.telinject-" + std::to_string(::getpid()) + "-0-1.tmp"), "ours");
    write_text(dir / ("notes.telinject-" + dead + "-0-1.tmp"), "a user's");
    write_text(dir / "sub" / (".d.py.telinject-" + dead + "-0-1.tmp"), "below: not scanned");
    CHECK(remove_stale_temporary_files(dir.path()) == 1);
    CHECK_FALSE(fs::exists(dir / (".a.py.telinject-" + dead + "-0-1.tmp")));
    CHECK(fs::exists(dir / (".b.py.telinject-" + alive + "-0-1.tmp")));
    CHECK(fs::exists(dir / (".c.py.telinject-" + std::to_string(::getpid()) + "-0-1.tmp")));
    CHECK(fs::exists(dir / ("notes.telinject-" + dead + "-0-1.tmp")));
    CHECK(fs::exists(dir / "sub" / (".d.py.telinject-" + dead + "-0-1.tmp")));
  }
}
