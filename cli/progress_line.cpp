#include "progress_line.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace telinject::cli {

std::string format_duration(double seconds) {
  long long whole = std::llround(std::max(0.0, seconds));
  char text[32];
  if (whole < 60)
    std::snprintf(text, sizeof text, "%llds", whole);
  else if (whole < 3600)
    std::snprintf(text, sizeof text, "%lldm%02llds", whole / 60, whole % 60);
  else
    std::snprintf(text, sizeof text, "%lldh%02lldm", whole / 3600, whole / 60 % 60);
  return text;
}

std::string format_progress(size_t done, size_t total, double elapsed_seconds) {
  std::string line;
  char part[96];
  if (total > 0) {
    constexpr size_t kWidth = 30;
    size_t filled = kWidth * std::min(done, total) / total;
    line = "[" + std::string(filled, '#') + std::string(kWidth - filled, ' ') + "] ";
    std::snprintf(part, sizeof part, "%zu/%zu files", done, total);
  } else {
    std::snprintf(part, sizeof part, "%zu files", done);
  }
  line += part;
  if (done > 0 && elapsed_seconds > 0) {
    double rate = static_cast<double>(done) / elapsed_seconds;
    std::snprintf(part, sizeof part, ", %.0f files/s", rate);
    line += part;
    if (total > done) line += ", ETA " + format_duration(static_cast<double>(total - done) / rate);
  }
  return line;
}

void ProgressLine::update(size_t done, size_t total) {
  // Small runs finish before a line would help.
  if (!enabled_ || (total ? total : done) < 20) return;
  auto now = std::chrono::steady_clock::now();
  if (done != total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double elapsed = std::chrono::duration<double>(now - started_).count();
  // "\033[K" clears what a longer line before left.
  std::fprintf(stderr, "\r%s\033[K", format_progress(done, total, elapsed).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::finish() {
  if (drawn_) std::fputs("\r\033[K", stderr);
  drawn_ = false;
}

}  // namespace telinject::cli
