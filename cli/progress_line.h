// The progress line a batch run draws on a terminal: files done of the total, files/s, ETA.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace telinject::cli {

/// `seconds` as a person reads a remaining time: "42s", "4m05s", "1h07m".
std::string format_duration(double seconds);

/// The line's text for `done` of `total` files (0: the total is not known yet) after
/// `elapsed_seconds`: "[#######       ] 1234/5000 files, 412 files/s, ETA 9s". The rate appears
/// once a file is done, the ETA once the total is known too; without a total there is no bar.
std::string format_progress(size_t done, size_t total, double elapsed_seconds);

/// A one-line progress bar on a terminal (stderr), redrawn at most every 100 ms. Disabled, it
/// prints nothing. Not thread-safe (the pipeline serialises its progress calls).
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled)
      : enabled_(enabled), started_(std::chrono::steady_clock::now()) {}
  /// `total` 0: not known yet.
  void update(size_t done, size_t total);
  /// Erases the line, when one was drawn.
  void finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace telinject::cli
