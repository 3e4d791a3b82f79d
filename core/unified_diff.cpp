#include "unified_diff.h"

#include <algorithm>
#include <vector>

namespace telinject {
namespace {

using Lines = std::vector<std::string_view>;

// Lines with their '\n' (the last may lack it), so "x" and "x\n" differ as diff sees them.
Lines split_lines(std::string_view text) {
  Lines lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string_view::npos ? text.size() : end + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

enum class Op : char { kEqual, kDelete, kInsert };

class Myers {
 public:
  Myers(const Lines& a, const Lines& b) : a_(a), b_(b) {}

  std::vector<Op> run() {
    diff(0, static_cast<int>(a_.size()), 0, static_cast<int>(b_.size()));
    return std::move(ops_);
  }

 private:
  // Finds the middle snake of a[a0,a1) x b[b0,b1); returns its start (x,y) and end (u,v),
  // relative to a0 and b0.
  void middle_snake(int a0, int a1, int b0, int b1, int* x_out, int* y_out, int* u_out,
                    int* v_out) {
    const int n = a1 - a0, m = b1 - b0, delta = n - m;
    const bool odd = delta & 1;
    const int max = (n + m + 1) / 2 + 1;
    const int offset = max + 1;
    forward_.assign(2 * max + 3, 0);
    backward_.assign(2 * max + 3, 0);
    for (int d = 0; d <= max; ++d) {
      for (int k = -d; k <= d; k += 2) {
        int x = (k == -d || (k != d && forward_[offset + k - 1] < forward_[offset + k + 1]))
                    ? forward_[offset + k + 1]
                    : forward_[offset + k - 1] + 1;
        int y = x - k;
        const int sx = x, sy = y;
        while (x < n && y < m && a_[a0 + x] == b_[b0 + y]) ++x, ++y;
        forward_[offset + k] = x;
        int kr = delta - k;
        if (odd && kr >= -(d - 1) && kr <= d - 1 && x + backward_[offset + kr] >= n) {
          *x_out = sx, *y_out = sy, *u_out = x, *v_out = y;
          return;
        }
      }
      for (int k = -d; k <= d; k += 2) {
        int x = (k == -d || (k != d && backward_[offset + k - 1] < backward_[offset + k + 1]))
                    ? backward_[offset + k + 1]
                    : backward_[offset + k - 1] + 1;
        int y = x - k;
        const int sx = x, sy = y;
        while (x < n && y < m && a_[a1 - 1 - x] == b_[b1 - 1 - y]) ++x, ++y;
        backward_[offset + k] = x;
        int kf = delta - k;
        if (!odd && kf >= -d && kf <= d && x + forward_[offset + kf] >= n) {
          *x_out = n - x, *y_out = m - y, *u_out = n - sx, *v_out = m - sy;
          return;
        }
      }
    }
    *x_out = *u_out = n, *y_out = *v_out = m;  // unreachable for well-formed input
  }

  void diff(int a0, int a1, int b0, int b1) {
    int prefix = 0;
    while (a0 + prefix < a1 && b0 + prefix < b1 && a_[a0 + prefix] == b_[b0 + prefix]) ++prefix;
    ops_.insert(ops_.end(), prefix, Op::kEqual);
    a0 += prefix, b0 += prefix;
    int suffix = 0;
    while (a1 - suffix > a0 && b1 - suffix > b0 && a_[a1 - 1 - suffix] == b_[b1 - 1 - suffix])
      ++suffix;
    a1 -= suffix, b1 -= suffix;
    if (a0 == a1) {
      ops_.insert(ops_.end(), b1 - b0, Op::kInsert);
    } else if (b0 == b1) {
      ops_.insert(ops_.end(), a1 - a0, Op::kDelete);
    } else {
      int x, y, u, v;
      middle_snake(a0, a1, b0, b1, &x, &y, &u, &v);
      if ((x == 0 && y == 0 && u == 0 && v == 0) || (x == a1 - a0 && y == b1 - b0)) {
        // No progress possible through the snake: fall back to delete-then-insert.
        ops_.insert(ops_.end(), a1 - a0, Op::kDelete);
        ops_.insert(ops_.end(), b1 - b0, Op::kInsert);
      } else {
        diff(a0, a0 + x, b0, b0 + y);
        ops_.insert(ops_.end(), u - x, Op::kEqual);
        diff(a0 + u, a1, b0 + v, b1);
      }
    }
    ops_.insert(ops_.end(), suffix, Op::kEqual);
  }

  const Lines& a_;
  const Lines& b_;
  std::vector<Op> ops_;
  std::vector<int> forward_, backward_;
};

std::string range(int start, int count) {
  // GNU diff: "l" for one line, "l,n" otherwise; an empty range names the line before it.
  if (count == 1) return std::to_string(start + 1);
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

void append_line(std::string& out, char mark, std::string_view line) {
  out.push_back(mark);
  out.append(line);
  if (line.empty() || line.back() != '\n') out.append("\n\\ No newline at end of file\n");
}

}  // namespace

std::vector<LineChange> line_changes(std::string_view old_text, std::string_view new_text) {
  std::vector<LineChange> changes;
  if (old_text == new_text) return changes;
  Lines a = split_lines(old_text), b = split_lines(new_text);
  std::vector<Op> ops = Myers(a, b).run();
  size_t x = 0, y = 0;
  for (size_t i = 0; i < ops.size();) {
    if (ops[i] == Op::kEqual) {
      ++x, ++y, ++i;
      continue;
    }
    LineChange change{x, 0, y, 0};
    for (; i < ops.size() && ops[i] != Op::kEqual; ++i) {
      if (ops[i] == Op::kDelete)
        ++change.old_count, ++x;
      else
        ++change.new_count, ++y;
    }
    changes.push_back(change);
  }
  return changes;
}

std::string unified_diff(std::string_view old_text, std::string_view new_text,
                         const std::string& old_label, const std::string& new_label, int context) {
  if (old_text == new_text) return "";
  Lines a = split_lines(old_text), b = split_lines(new_text);
  std::vector<Op> ops = Myers(a, b).run();
  // Within each run of changes, deletions first, as diff prints them.
  for (size_t i = 0; i < ops.size();) {
    if (ops[i] == Op::kEqual) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < ops.size() && ops[j] != Op::kEqual) ++j;
    std::stable_partition(ops.begin() + i, ops.begin() + j,
                          [](Op op) { return op == Op::kDelete; });
    i = j;
  }

  // Positions (in a and b) at each op.
  std::vector<int> ai(ops.size() + 1), bi(ops.size() + 1);
  for (size_t i = 0; i < ops.size(); ++i) {
    ai[i + 1] = ai[i] + (ops[i] != Op::kInsert);
    bi[i + 1] = bi[i] + (ops[i] != Op::kDelete);
  }
  std::string out = "--- " + old_label + "\n+++ " + new_label + "\n";
  size_t i = 0;
  while (i < ops.size()) {
    while (i < ops.size() && ops[i] == Op::kEqual) ++i;
    if (i == ops.size()) break;
    size_t start = i >= static_cast<size_t>(context) ? i - context : 0;
    size_t end = i;
    // Extend over changes whose gaps are at most 2 * context equal lines.
    for (;;) {
      while (end < ops.size() && ops[end] != Op::kEqual) ++end;
      size_t gap = end;
      while (gap < ops.size() && ops[gap] == Op::kEqual) ++gap;
      if (gap < ops.size() && gap - end <= static_cast<size_t>(2 * context)) {
        end = gap;
        continue;
      }
      end = std::min(ops.size(), end + context);
      break;
    }
    int a_count = ai[end] - ai[start], b_count = bi[end] - bi[start];
    out += "@@ -" + range(ai[start], a_count) + " +" + range(bi[start], b_count) + " @@\n";
    for (size_t k = start; k < end; ++k) {
      switch (ops[k]) {
        case Op::kEqual:
          append_line(out, ' ', a[ai[k]]);
          break;
        case Op::kDelete:
          append_line(out, '-', a[ai[k]]);
          break;
        case Op::kInsert:
          append_line(out, '+', b[bi[k]]);
          break;
      }
    }
    i = end;
  }
  return out;
}

}  // namespace telinject
