#include "unified_diff.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <random>

#include "test_support.h"

using namespace telinject;
using telinject::testing::TempDir;
using telinject::testing::write_text;

namespace {

// What GNU diff prints for the same pair.
std::string gnu_diff(const std::string& a, const std::string& b) {
  TempDir dir;
  write_text(dir / "a", a);
  write_text(dir / "b", b);
  std::string command =
      "diff -u --label a --label b " + (dir / "a").string() + " " + (dir / "b").string();
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

void same_as_gnu(const std::string& a, const std::string& b) {
  CAPTURE(a);
  CAPTURE(b);
  CHECK(unified_diff(a, b, "a", "b") == gnu_diff(a, b));
}

}  // namespace

TEST_SUITE("unified_diff") {
  TEST_CASE("matches GNU diff on typical changes") {
    same_as_gnu("a\nb\nc\n", "a\nb\nc\n");
    same_as_gnu("a\nb\nc\n", "a\nX\nb\nc\n");
    same_as_gnu("a\nb\nc\n", "a\nc\n");
    same_as_gnu("", "new\n");
    same_as_gnu("old\n", "");
    same_as_gnu("a\nb", "a\nb\n");
    same_as_gnu("a\r\nb\r\n", "a\r\nX\r\nb\r\n");
    std::string big, changed;
    for (int i = 0; i < 200; ++i) {
      big += "line " + std::to_string(i) + "\n";
      changed +=
          (i % 37 == 0 ? "    with x:\n" : "") + std::string("line ") + std::to_string(i) + "\n";
    }
    same_as_gnu(big, changed);
  }

  TEST_CASE("matches the line content of GNU diff on random pairs") {
    std::mt19937 random(42);
    for (int round = 0; round < 150; ++round) {
      std::string a, b;
      int lines = 1 + static_cast<int>(random() % 12);
      for (int i = 0; i < lines; ++i) {
        std::string line = std::string(1, static_cast<char>('a' + random() % 4)) + "\n";
        a += line;
        int what = static_cast<int>(random() % 5);
        if (what == 0) continue;         // deleted
        if (what == 1) b += "x" + line;  // changed
        b += line;
        if (what == 2)
          b += std::string(1, static_cast<char>('a' + random() % 4)) + "\n";  // inserted
      }
      // Minimal diffs can differ in which equal line they keep; the added and removed line
      // counts of a minimal diff cannot.
      std::string ours = unified_diff(a, b, "a", "b"), theirs = gnu_diff(a, b);
      auto count = [](const std::string& d, char mark) {
        int n = 0;
        for (size_t i = 0; i < d.size(); i = d.find('\n', i) + 1) {
          if (d[i] == mark && d.compare(i, 3, std::string(3, mark)) != 0) ++n;
          if (d.find('\n', i) == std::string::npos) break;
        }
        return n;
      };
      CAPTURE(a);
      CAPTURE(b);
      CHECK(count(ours, '+') == count(theirs, '+'));
      CHECK(count(ours, '-') == count(theirs, '-'));
    }
  }

  TEST_CASE("line_changes: applying the regions gives the new text") {
    std::mt19937 random(7);
    auto split = [](const std::string& text) {
      std::vector<std::string> lines;
      for (size_t start = 0; start < text.size();) {
        size_t end = text.find('\n', start);
        end = end == std::string::npos ? text.size() : end + 1;
        lines.push_back(text.substr(start, end - start));
        start = end;
      }
      return lines;
    };
    for (int round = 0; round < 300; ++round) {
      std::string a, b;
      int lines = static_cast<int>(random() % 14);
      for (int i = 0; i < lines; ++i) {
        std::string line =
            std::string(1, static_cast<char>('a' + random() % 4)) + (random() % 7 ? "\n" : "\r\n");
        a += line;
        int what = static_cast<int>(random() % 5);
        if (what == 0) continue;
        if (what == 1)
          b += "    " + line;  // re-indented
        else
          b += line;
        if (what == 2) b += "inserted\n";
      }
      if (random() % 4 == 0) b = "import x\n" + b;
      CAPTURE(a);
      CAPTURE(b);
      std::vector<std::string> old_lines = split(a), new_lines = split(b), rebuilt;
      size_t at = 0;
      for (const LineChange& c : line_changes(a, b)) {
        REQUIRE(c.old_start >= at);
        REQUIRE(c.old_count + c.new_count > 0);
        for (; at < c.old_start; ++at) rebuilt.push_back(old_lines[at]);
        for (size_t i = 0; i < c.new_count; ++i) rebuilt.push_back(new_lines[c.new_start + i]);
        at += c.old_count;
      }
      for (; at < old_lines.size(); ++at) rebuilt.push_back(old_lines[at]);
      CHECK(rebuilt == new_lines);
    }
    CHECK(line_changes("same\n", "same\n").empty());
  }
}
