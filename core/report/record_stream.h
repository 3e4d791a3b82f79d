// Reading TELINJECT_OUT files: whole files (or standard input) line by line into a
// SpanAggregator and any number of sinks, in constant memory.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "record.h"
#include "result.h"
#include "span_aggregator.h"

namespace telinject::report {

/// An input: a name for messages and an open file descriptor that read_records() closes.
struct RecordSource {
  std::string name;
  int fd = -1;
};

/// Opens each path for reading; "-" is standard input. Error (nothing left open): the first
/// path that cannot be opened or is a directory, with the system's reason.
Result<std::vector<RecordSource>> open_record_sources(const std::vector<std::string>& paths);

/// Receives the spans and resource lines in input order, besides the aggregator (the trace
/// file writers).
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void add_resource(const ResourceRecord&) {}
  virtual void add_span(const SpanRecord& span) = 0;
  /// Called once after the last record; writes what is left. Error: a write failed.
  virtual Result<void> finish(const Report& report) = 0;
};

/// Counters of the reading itself, for measurements.
struct ReadStatistics {
  uint64_t slow_lines = 0;  // lines the fast scanner handed to nlohmann::json
};

/// Reads every source to its end (closing it), then finishes each sink. A malformed line is
/// counted in the report, never fatal; a line longer than 64 MiB counts as malformed. Memory:
/// a 1 MiB buffer (more only while a line is longer) plus the aggregator's state. Error: a
/// read failed (the source named), or a sink's finish() failed.
Result<Report> read_records(std::vector<RecordSource> sources,
                            const std::vector<RecordSink*>& sinks,
                            ReadStatistics* statistics = nullptr);

}  // namespace telinject::report
