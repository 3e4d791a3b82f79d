// ChromeTraceWriter: spans as Chrome's Trace Event format ("X" complete events), which
// Perfetto and chrome://tracing open. Events need no order, so each span is written as it is
// read: constant memory (besides one small number per thread whose id is too large).
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>

#include "record_stream.h"

namespace telinject::report {

class ChromeTraceWriter : public RecordSink {
 public:
  /// Creates (truncates) `path`. Error: it cannot be opened for writing.
  static Result<std::unique_ptr<ChromeTraceWriter>> open(const std::string& path);
  ~ChromeTraceWriter() override;

  void add_resource(const ResourceRecord& resource) override;
  void add_span(const SpanRecord& span) override;
  /// Closes the event list and the file. Error: a write failed.
  Result<void> finish(const Report& report) override;

 private:
  ChromeTraceWriter(std::string path, FILE* file) : path_(std::move(path)), file_(file) {}
  void emit(const std::string& event);
  int64_t chrome_thread_id(int64_t pid, uint64_t thread_id);

  std::string path_;
  FILE* file_;
  bool first_event_ = true;
  std::string event_;  // reused for each event
  std::unordered_set<int64_t> named_processes_;
  // Thread ids the viewers take as 32-bit numbers pass through; larger ones (Python's thread
  // idents) get small numbers here, and a thread_name event says which thread each is.
  std::map<std::pair<int64_t, uint64_t>, int64_t> large_thread_ids_;  // (pid, id)
};

}  // namespace telinject::report
