#include "progress_line.h"

#include <doctest/doctest.h>

using telinject::cli::format_duration;
using telinject::cli::format_progress;

TEST_SUITE("progress line") {
  TEST_CASE("durations read as seconds, minutes or hours") {
    CHECK(format_duration(0) == "0s");
    CHECK(format_duration(41.6) == "42s");
    CHECK(format_duration(59.4) == "59s");
    CHECK(format_duration(60) == "1m00s");
    CHECK(format_duration(245) == "4m05s");
    CHECK(format_duration(3599) == "59m59s");
    CHECK(format_duration(3600) == "1h00m");
    CHECK(format_duration(4020) == "1h07m");
    CHECK(format_duration(-3) == "0s");
  }

  TEST_CASE("a known total: bar, count, rate and the time left at that rate") {
    // 250 of 1000 in 10 s: 25 files/s, 750 files left, 30 s.
    CHECK(format_progress(250, 1000, 10.0) ==
          "[#######                       ] 250/1000 files, 25 files/s, ETA 30s");
    CHECK(format_progress(1000, 1000, 20.0) ==
          "[##############################] 1000/1000 files, 50 files/s");
    CHECK(format_progress(107400 / 2, 107400, 120.0) ==
          "[###############               ] 53700/107400 files, 448 files/s, ETA 2m00s");
  }

  TEST_CASE("no rate before the first file, no ETA and no bar before the total") {
    CHECK(format_progress(0, 50, 0.5) == "[                              ] 0/50 files");
    CHECK(format_progress(300, 0, 2.0) == "300 files, 150 files/s");
    CHECK(format_progress(0, 0, 0.0) == "0 files");
  }

  TEST_CASE("more files done than counted (files added during the run) never overflow the bar") {
    CHECK(format_progress(12, 10, 1.0) ==
          "[##############################] 12/10 files, 12 files/s");
  }
}
