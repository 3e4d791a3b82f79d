// RecordParser's reference path: any valid JSON record, through nlohmann::json.
#include <nlohmann/json.hpp>

#include "record.h"
#include "record_fields.h"

namespace telinject::report {

namespace {

using Json = nlohmann::json;

// The integer at `key` (a number, or a string holding one); false when missing or not one.
bool integer_at(const Json& object, const char* key, int64_t& value) {
  auto it = object.find(key);
  if (it == object.end()) return false;
  if (it->is_number_integer()) {
    value = it->get<int64_t>();
    return true;
  }
  if (it->is_number_float()) {
    // Only what an int64 holds: converting anything else (1e300, NaN) is undefined.
    const double number = it->get<double>();
    if (!(number >= -9223372036854775808.0 && number < 9223372036854775808.0)) return false;
    value = static_cast<int64_t>(number);
    return true;
  }
  return it->is_string() && parse_integer_text(it->get_ref<const std::string&>(), value);
}

bool string_at(const Json& object, const char* key, std::string& value) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return false;
  value = it->get<std::string>();
  return true;
}

}  // namespace

LineKind RecordParser::parse_slow(std::string_view line) {
  Json json = Json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return LineKind::kMalformed;
  int64_t pid = 0;
  integer_at(json, "process.pid", pid);

  if (auto resource = json.find("resource"); resource != json.end() && resource->is_object()) {
    service_storage_.clear();
    string_at(*resource, "service.name", service_storage_);
    int64_t resource_pid = pid;
    integer_at(*resource, "process.pid", resource_pid);
    resource_ = {service_storage_, resource_pid};
    return LineKind::kResource;
  }

  if (!string_at(json, "name", name_storage_) &&
      !string_at(json, "code.function.name", name_storage_))
    name_storage_.clear();
  if (json.contains("dropped")) {
    int64_t count;
    if (!integer_at(json, "dropped", count) || count < 0 || name_storage_.empty())
      return LineKind::kMalformed;
    reason_storage_.clear();
    string_at(json, "reason", reason_storage_);
    dropped_ = {static_cast<uint64_t>(count), name_storage_, reason_storage_, pid};
    return LineKind::kDropped;
  }

  span_ = SpanRecord{};
  span_.name = name_storage_;
  span_.pid = pid;
  std::string text;
  if (name_storage_.empty() || !string_at(json, "span_id", text) ||
      !integer_at(json, "start_time_unix_nano", span_.start_ns) ||
      !integer_at(json, "duration_ns", span_.duration_ns))
    return LineKind::kMalformed;
  span_.span_id = parse_span_id(text);
  if (string_at(json, "parent_span_id", text)) {
    span_.parent_span_id = parse_span_id(text);
    span_.has_parent = true;
  }
  if (string_at(json, "trace_id", text))
    parse_trace_id(text, span_.trace_id_high, span_.trace_id_low);
  file_storage_.clear();
  string_at(json, "code.file.path", file_storage_);
  span_.file = file_storage_;
  integer_at(json, "code.line.number", span_.line);
  span_.error = string_at(json, "status", status_storage_) && status_storage_ == "error";
  exception_storage_.clear();
  string_at(json, "exception.type", exception_storage_);
  span_.exception_type = exception_storage_;
  if (string_at(json, "thread.id", text)) {
    span_.thread_id = fnv1a(text);
  } else {
    int64_t thread = 0;
    integer_at(json, "thread.id", thread);
    span_.thread_id = static_cast<uint64_t>(thread);
  }
  return LineKind::kSpan;
}

}  // namespace telinject::report
