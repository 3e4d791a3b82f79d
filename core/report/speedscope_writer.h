// SpeedscopeWriter: spans as a speedscope file
// (https://www.speedscope.app/file-format-schema.json): one "evented" profile per process and
// thread, frames shared. Evented profiles need their open and close events in time order while
// spans arrive in end order, so spans are sorted: in memory up to `run_spans` of them (40 bytes
// each), beyond that in sorted runs spilled to a temporary file and merged at the end. Memory:
// run_spans * 40 bytes + one frame per distinct (function, file, line) + 160 KB per spilled run
// while merging.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "record_stream.h"

namespace telinject::report {

class SpeedscopeWriter : public RecordSink {
 public:
  /// Creates (truncates) `path`; `title` names the file in speedscope's toolbar. Error: the
  /// file cannot be opened for writing.
  static Result<std::unique_ptr<SpeedscopeWriter>> open(const std::string& path, std::string title,
                                                        size_t run_spans = 1 << 19);
  ~SpeedscopeWriter() override;

  void add_resource(const ResourceRecord& resource) override;
  void add_span(const SpanRecord& span) override;
  /// Sorts, merges and writes everything. Error: a write (or the temporary file) failed.
  Result<void> finish(const Report& report) override;

  /// Spans that overlapped a span they did not nest in on the same thread (asynchronous code):
  /// cut at the end of the enclosing span, as an evented profile is one stack per thread.
  uint64_t cut_spans() const { return cut_spans_; }
  /// Sorted runs written to the temporary file (0: everything fitted in memory).
  size_t spilled_runs() const { return runs_.size(); }

  struct Interval {
    int64_t pid;
    uint64_t thread;
    int64_t start;
    int64_t end;
    uint32_t frame;
  };

 private:
  SpeedscopeWriter(std::string path, FILE* file, std::string title, size_t run_spans)
      : path_(std::move(path)), file_(file), title_(std::move(title)), run_spans_(run_spans) {}
  uint32_t frame_of(const SpanRecord& span);
  Result<void> spill();

  std::string path_;
  FILE* file_;
  std::string title_;
  size_t run_spans_;
  std::vector<Interval> buffer_;
  FILE* spill_file_ = nullptr;
  std::vector<std::pair<size_t, size_t>> runs_;  // (first interval, count) in spill_file_
  size_t spilled_ = 0;
  bool spill_failed_ = false;
  struct Frame {
    std::string name, file;
    int64_t line;
  };
  struct FrameView {
    std::string_view name, file;
    int64_t line;
  };
  struct FrameHash {
    using is_transparent = void;
    size_t operator()(const FrameView& frame) const;
    size_t operator()(const Frame& frame) const {
      return (*this)(FrameView{frame.name, frame.file, frame.line});
    }
  };
  struct FrameEqual {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return a.line == b.line && a.name == b.name && a.file == b.file;
    }
  };
  std::unordered_map<Frame, uint32_t, FrameHash, FrameEqual> frame_index_;
  std::vector<const Frame*> frames_;              // keys of frame_index_, by index
  std::map<int64_t, std::string> service_names_;  // pid -> service.name
  uint64_t cut_spans_ = 0;
};

}  // namespace telinject::report
