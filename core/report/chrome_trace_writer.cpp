#include "chrome_trace_writer.h"

#include <cerrno>
#include <cstring>

#include "json_text.h"

namespace telinject::report {

namespace {
constexpr int64_t kLargestPlainThreadId = 0x3FFFFFFF;
}

Result<std::unique_ptr<ChromeTraceWriter>> ChromeTraceWriter::open(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (!file) return make_error(path + ": " + std::strerror(errno));
  std::fputs(
      "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"exporter\":\"telinject report\"},"
      "\"traceEvents\":[",
      file);
  return std::unique_ptr<ChromeTraceWriter>(new ChromeTraceWriter(path, file));
}

ChromeTraceWriter::~ChromeTraceWriter() {
  if (file_) std::fclose(file_);
}

void ChromeTraceWriter::emit(const std::string& event) {
  if (!first_event_) std::fputc(',', file_);
  first_event_ = false;
  std::fputc('\n', file_);
  std::fwrite(event.data(), 1, event.size(), file_);
}

void ChromeTraceWriter::add_resource(const ResourceRecord& resource) {
  if (resource.service_name.empty() || !named_processes_.insert(resource.pid).second) return;
  event_ = "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":" + std::to_string(resource.pid) +
           ",\"tid\":0,\"args\":{\"name\":";
  append_json_string(event_, resource.service_name);
  event_ += "}}";
  emit(event_);
}

int64_t ChromeTraceWriter::chrome_thread_id(int64_t pid, uint64_t thread_id) {
  if (thread_id <= static_cast<uint64_t>(kLargestPlainThreadId))
    return static_cast<int64_t>(thread_id);
  auto [it, added] = large_thread_ids_.emplace(
      std::pair(pid, thread_id),
      kLargestPlainThreadId + 1 + static_cast<int64_t>(large_thread_ids_.size()));
  if (added) {
    event_ = "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":" + std::to_string(pid) +
             ",\"tid\":" + std::to_string(it->second) + ",\"args\":{\"name\":\"thread " +
             std::to_string(thread_id) + "\"}}";
    emit(event_);
  }
  return it->second;
}

void ChromeTraceWriter::add_span(const SpanRecord& span) {
  int64_t tid = chrome_thread_id(span.pid, span.thread_id);
  event_ = "{\"ph\":\"X\",\"cat\":\"function\",\"name\":";
  append_json_string(event_, span.name);
  event_ += ",\"ts\":";
  append_microseconds(event_, span.start_ns);
  event_ += ",\"dur\":";
  append_microseconds(event_, span.duration_ns < 0 ? 0 : span.duration_ns);
  event_ += ",\"pid\":" + std::to_string(span.pid) + ",\"tid\":" + std::to_string(tid) +
            ",\"args\":{\"file\":";
  append_json_string(event_, span.file);
  event_ += ",\"line\":" + std::to_string(span.line) + ",\"status\":";
  event_ += span.error ? "\"error\"" : "\"ok\"";
  if (!span.exception_type.empty()) {
    event_ += ",\"exception.type\":";
    append_json_string(event_, span.exception_type);
  }
  event_ += "}}";
  emit(event_);
}

Result<void> ChromeTraceWriter::finish(const Report&) {
  std::fputs("\n]}\n", file_);
  bool failed = std::ferror(file_) != 0;
  failed |= std::fclose(file_) != 0;
  file_ = nullptr;
  if (failed) return make_error(path_ + ": write failed");
  return {};
}

}  // namespace telinject::report
