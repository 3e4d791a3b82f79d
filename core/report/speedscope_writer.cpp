#include "speedscope_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <queue>

#include "json_text.h"

namespace telinject::report {

namespace {

using Interval = SpeedscopeWriter::Interval;

// Per thread by start; an enclosing span (same start, later end) opens first.
bool before(const Interval& a, const Interval& b) {
  if (a.pid != b.pid) return a.pid < b.pid;
  if (a.thread != b.thread) return a.thread < b.thread;
  if (a.start != b.start) return a.start < b.start;
  if (a.end != b.end) return a.end > b.end;
  return a.frame < b.frame;
}

// Reads one sorted run back from the temporary file, a block at a time.
class RunCursor {
 public:
  static constexpr size_t kBlock = 4096;
  RunCursor(int fd, size_t first, size_t count) : fd_(fd), next_(first), left_(count) {}

  // False at the end of the run or on a read error (then `failed` is set).
  bool next(Interval& out, bool& failed) {
    if (position_ == block_.size()) {
      if (left_ == 0) return false;
      size_t take = std::min(left_, kBlock);
      block_.resize(take);
      size_t bytes = take * sizeof(Interval);
      ssize_t got =
          ::pread(fd_, block_.data(), bytes, static_cast<off_t>(next_ * sizeof(Interval)));
      if (got != static_cast<ssize_t>(bytes)) {
        failed = true;
        return false;
      }
      next_ += take;
      left_ -= take;
      position_ = 0;
    }
    out = block_[position_++];
    return true;
  }

 private:
  int fd_;
  size_t next_, left_;
  std::vector<Interval> block_;
  size_t position_ = 0;
};

// Writes the file through a large buffer.
class Output {
 public:
  explicit Output(FILE* file) : file_(file) {}
  std::string& text() { return text_; }
  void maybe_flush() {
    if (text_.size() >= (1 << 20)) flush();
  }
  void flush() {
    std::fwrite(text_.data(), 1, text_.size(), file_);
    text_.clear();
  }

 private:
  FILE* file_;
  std::string text_;
};

}  // namespace

Result<std::unique_ptr<SpeedscopeWriter>> SpeedscopeWriter::open(const std::string& path,
                                                                 std::string title,
                                                                 size_t run_spans) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (!file) return make_error(path + ": " + std::strerror(errno));
  return std::unique_ptr<SpeedscopeWriter>(
      new SpeedscopeWriter(path, file, std::move(title), std::max<size_t>(run_spans, 1)));
}

SpeedscopeWriter::~SpeedscopeWriter() {
  if (file_) std::fclose(file_);
  if (spill_file_) std::fclose(spill_file_);
}

void SpeedscopeWriter::add_resource(const ResourceRecord& resource) {
  if (!resource.service_name.empty())
    service_names_.emplace(resource.pid, std::string(resource.service_name));
}

size_t SpeedscopeWriter::FrameHash::operator()(const FrameView& frame) const {
  size_t hash = std::hash<std::string_view>()(frame.name);
  hash = hash * 31 + std::hash<std::string_view>()(frame.file);
  return hash * 31 + std::hash<int64_t>()(frame.line);
}

uint32_t SpeedscopeWriter::frame_of(const SpanRecord& span) {
  FrameView view{span.name, span.file, span.line};
  if (auto it = frame_index_.find(view); it != frame_index_.end()) return it->second;
  auto [it, added] =
      frame_index_.emplace(Frame{std::string(span.name), std::string(span.file), span.line},
                           static_cast<uint32_t>(frames_.size()));
  frames_.push_back(&it->first);
  return it->second;
}

void SpeedscopeWriter::add_span(const SpanRecord& span) {
  int64_t duration = std::max<int64_t>(span.duration_ns, 0);
  buffer_.push_back(
      {span.pid, span.thread_id, span.start_ns, span.start_ns + duration, frame_of(span)});
  if (buffer_.size() >= run_spans_ && !spill().ok()) spill_failed_ = true;
}

Result<void> SpeedscopeWriter::spill() {
  if (!spill_file_) {
    spill_file_ = std::tmpfile();
    if (!spill_file_) return make_error(std::string("temporary file: ") + std::strerror(errno));
  }
  std::sort(buffer_.begin(), buffer_.end(), before);
  size_t bytes = buffer_.size() * sizeof(Interval);
  ssize_t wrote = ::pwrite(fileno(spill_file_), buffer_.data(), bytes,
                           static_cast<off_t>(spilled_ * sizeof(Interval)));
  if (wrote != static_cast<ssize_t>(bytes))
    return make_error(std::string("temporary file: ") + std::strerror(errno));
  runs_.emplace_back(spilled_, buffer_.size());
  spilled_ += buffer_.size();
  buffer_.clear();
  return {};
}

Result<void> SpeedscopeWriter::finish(const Report& report) {
  if (spill_failed_) return make_error(path_ + ": could not spill spans to a temporary file");
  std::sort(buffer_.begin(), buffer_.end(), before);
  int64_t origin = report.totals.first_start_ns;

  // Sources: the spilled runs and the sorted buffer, merged.
  std::vector<RunCursor> cursors;
  for (auto [first, count] : runs_) cursors.emplace_back(fileno(spill_file_), first, count);
  size_t buffered = 0;  // next index in buffer_
  bool read_failed = false;
  auto pull = [&](size_t source, Interval& out) {
    if (source < cursors.size()) return cursors[source].next(out, read_failed);
    if (buffered == buffer_.size()) return false;
    out = buffer_[buffered++];
    return true;
  };
  using Head = std::pair<Interval, size_t>;
  auto later = [](const Head& a, const Head& b) { return before(b.first, a.first); };
  std::priority_queue<Head, std::vector<Head>, decltype(later)> heads(later);
  for (size_t source = 0; source <= cursors.size(); ++source) {
    Interval first;
    if (pull(source, first)) heads.emplace(first, source);
  }

  Output out(file_);
  std::string& text = out.text();
  text =
      "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
      "\"exporter\":\"telinject report\",\"name\":";
  append_json_string(text, title_);
  text += ",\"activeProfileIndex\":0,\"profiles\":[";

  bool first_profile = true;
  bool in_profile = false;
  int64_t pid = 0;
  uint64_t thread = 0;
  int64_t profile_start = 0, profile_end = 0;
  bool first_event = true;
  std::vector<Interval> stack;
  auto event = [&](char type, uint32_t frame, int64_t at) {
    if (!first_event) text += ',';
    first_event = false;
    text += "{\"type\":\"";
    text += type;
    text +=
        "\",\"frame\":" + std::to_string(frame) + ",\"at\":" + std::to_string(at - origin) + "}";
    out.maybe_flush();
  };
  auto close_until = [&](int64_t time) {
    while (!stack.empty() && stack.back().end <= time) {
      event('C', stack.back().frame, stack.back().end);
      stack.pop_back();
    }
  };
  auto end_profile = [&] {
    close_until(INT64_MAX);
    text += "],\"startValue\":" + std::to_string(profile_start - origin) +
            ",\"endValue\":" + std::to_string(profile_end - origin) + "}";
  };

  while (!heads.empty()) {
    auto [span, source] = heads.top();
    heads.pop();
    Interval next;
    if (pull(source, next)) heads.emplace(next, source);

    if (!in_profile || span.pid != pid || span.thread != thread) {
      if (in_profile) end_profile();
      in_profile = true;
      pid = span.pid;
      thread = span.thread;
      profile_start = span.start;
      profile_end = span.end;
      first_event = true;
      if (!first_profile) text += ',';
      first_profile = false;
      auto service = service_names_.find(pid);
      std::string name = (service != service_names_.end() ? service->second + " " : "") + "pid " +
                         std::to_string(pid) + " thread " + std::to_string(thread);
      text += "\n{\"type\":\"evented\",\"name\":";
      append_json_string(text, name);
      text += ",\"unit\":\"nanoseconds\",\"events\":[";
    }
    close_until(span.start);
    if (!stack.empty() && span.end > stack.back().end) {
      span.end = stack.back().end;
      ++cut_spans_;
    }
    profile_end = std::max(profile_end, span.end);
    event('O', span.frame, span.start);
    stack.push_back(span);
  }
  if (in_profile) end_profile();
  if (read_failed) return make_error(path_ + ": reading the temporary file failed");

  text += "],\n\"shared\":{\"frames\":[";
  for (size_t i = 0; i < frames_.size(); ++i) {
    const Frame& frame = *frames_[i];
    if (i > 0) text += ',';
    text += "\n{\"name\":";
    append_json_string(text, frame.name);
    if (!frame.file.empty()) {
      text += ",\"file\":";
      append_json_string(text, frame.file);
    }
    if (frame.line != 0) text += ",\"line\":" + std::to_string(frame.line);
    text += '}';
    out.maybe_flush();
  }
  text += "]}}\n";
  out.flush();
  bool failed = std::ferror(file_) != 0;
  failed |= std::fclose(file_) != 0;
  file_ = nullptr;
  if (failed) return make_error(path_ + ": write failed");
  return {};
}

}  // namespace telinject::report
