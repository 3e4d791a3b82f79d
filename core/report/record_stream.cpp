#include "record_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace telinject::report {

namespace {

constexpr size_t kBlock = 1 << 20;
constexpr size_t kLongestLine = 64 << 20;

void close_sources(std::vector<RecordSource>& sources) {
  for (auto& source : sources)
    if (source.fd >= 0) ::close(source.fd);
  sources.clear();
}

class LineDispatcher {
 public:
  LineDispatcher(SpanAggregator& aggregator, const std::vector<RecordSink*>& sinks)
      : aggregator_(aggregator), sinks_(sinks) {}

  void line(std::string_view source, uint64_t number, std::string_view text) {
    aggregator_.add_line(text.size());
    switch (parser_.parse(text)) {
      case LineKind::kBlank:
        break;
      case LineKind::kSpan:
        aggregator_.add_span(parser_.span());
        for (auto* sink : sinks_) sink->add_span(parser_.span());
        break;
      case LineKind::kResource:
        aggregator_.add_resource(parser_.resource());
        for (auto* sink : sinks_) sink->add_resource(parser_.resource());
        break;
      case LineKind::kDropped:
        aggregator_.add_dropped(parser_.dropped());
        break;
      case LineKind::kMalformed:
        aggregator_.add_malformed(source, number);
        break;
    }
  }
  void too_long(std::string_view source, uint64_t number, size_t bytes) {
    aggregator_.add_line(bytes);
    aggregator_.add_malformed(source, number);
  }
  uint64_t slow_lines() const { return parser_.slow_lines(); }

 private:
  SpanAggregator& aggregator_;
  const std::vector<RecordSink*>& sinks_;
  RecordParser parser_;
};

// Splits one descriptor's bytes into lines. Error: the read's reason.
Result<void> read_lines(const RecordSource& source, LineDispatcher& dispatcher) {
  std::vector<char> buffer(kBlock);
  size_t filled = 0;      // bytes in buffer
  uint64_t number = 0;    // lines handed out
  bool skipping = false;  // inside a line longer than kLongestLine
  size_t skipped = 0;
  while (true) {
    if (filled == buffer.size()) {
      if (buffer.size() < kLongestLine) {
        buffer.resize(buffer.size() * 2);
      } else {  // keep counting the line's bytes, drop them
        skipping = true;
        skipped += filled;
        filled = 0;
      }
    }
    ssize_t got = ::read(source.fd, buffer.data() + filled, buffer.size() - filled);
    if (got < 0) {
      if (errno == EINTR) continue;
      return make_error(source.name + ": " + std::strerror(errno));
    }
    bool at_end = got == 0;
    size_t scanned_from = filled;
    filled += static_cast<size_t>(got);
    const char* data = buffer.data();
    size_t start = 0;
    // Newlines can only be in the bytes just read: the rest were searched before.
    const char* newline;
    size_t from = scanned_from;
    while ((newline = static_cast<const char*>(std::memchr(data + from, '\n', filled - from)))) {
      size_t end = static_cast<size_t>(newline - data);
      ++number;
      if (skipping) {
        dispatcher.too_long(source.name, number, skipped + end - start);
        skipping = false;
        skipped = 0;
      } else {
        dispatcher.line(source.name, number, std::string_view(data + start, end - start));
      }
      start = end + 1;
      from = start;
    }
    if (at_end) {
      if (filled > start || skipping) {  // a last line without its newline
        ++number;
        if (skipping)
          dispatcher.too_long(source.name, number, skipped + filled - start);
        else
          dispatcher.line(source.name, number, std::string_view(data + start, filled - start));
      }
      return {};
    }
    std::memmove(buffer.data(), data + start, filled - start);
    filled -= start;
    // Shrink back once a long line is gone, so one long line does not keep its buffer.
    if (buffer.size() > kBlock && filled < kBlock) buffer.resize(kBlock), buffer.shrink_to_fit();
  }
}

}  // namespace

Result<std::vector<RecordSource>> open_record_sources(const std::vector<std::string>& paths) {
  std::vector<RecordSource> sources;
  for (const auto& path : paths) {
    int fd = path == "-" ? ::dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat status;
    if (fd >= 0 && ::fstat(fd, &status) == 0 && S_ISDIR(status.st_mode)) {
      ::close(fd);
      fd = -1;
      errno = EISDIR;
    }
    if (fd < 0) {
      std::string reason = std::strerror(errno);
      close_sources(sources);
      return make_error(path + ": " + reason);
    }
    sources.push_back({path == "-" ? "<stdin>" : path, fd});
  }
  return sources;
}

Result<Report> read_records(std::vector<RecordSource> sources,
                            const std::vector<RecordSink*>& sinks, ReadStatistics* statistics) {
  SpanAggregator aggregator;
  LineDispatcher dispatcher(aggregator, sinks);
  for (auto& source : sources) {
    auto read = read_lines(source, dispatcher);
    if (!read.ok()) {
      close_sources(sources);
      return make_error(read.error());
    }
  }
  close_sources(sources);
  if (statistics) statistics->slow_lines = dispatcher.slow_lines();
  Report report = aggregator.finish();
  for (auto* sink : sinks) {
    auto finished = sink->finish(report);
    if (!finished.ok()) return make_error(finished.error());
  }
  return report;
}

}  // namespace telinject::report
