#include "trace_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <thread>

namespace telinject {
namespace {

const char* level_name(TraceLevel level) {
  switch (level) {
    case TraceLevel::kTrace:
      return "TRACE";
    case TraceLevel::kDebug:
      return "DEBUG";
    case TraceLevel::kInfo:
      return "INFO";
    case TraceLevel::kWarning:
      return "WARNING";
    case TraceLevel::kError:
      return "ERROR";
  }
  return "INFO";
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool is_secret_key(const std::string& key) {
  std::string k = lower(key);
  bool token_count = k.find("tokens") != std::string::npos;
  return k == "api_key" || k == "apikey" || k == "authorization" || k == "password" ||
         (k.size() > 4 && k.substr(k.size() - 4) == "_key") ||
         (k.find("token") != std::string::npos && !token_count) ||
         k.find("secret") != std::string::npos;
}

nlohmann::json redact(const nlohmann::json& value) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = value.begin(); it != value.end(); ++it)
      out[it.key()] = is_secret_key(it.key()) && it.value().is_string()
                          ? nlohmann::json("[redacted]")
                          : redact(it.value());
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(redact(item));
    return out;
  }
  return value;
}

std::string timestamp(const char* format, bool millis) {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, format, &utc);
  std::string out = buffer;
  if (millis) {
    auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    char tail[8];
    std::snprintf(tail, sizeof tail, ".%03dZ", static_cast<int>(ms));
    out += tail;
  }
  return out;
}

}  // namespace

std::optional<TraceLevel> parse_trace_level(std::string_view name) {
  std::string n = lower(name);
  if (n == "trace") return TraceLevel::kTrace;
  if (n == "debug") return TraceLevel::kDebug;
  if (n == "info") return TraceLevel::kInfo;
  if (n == "warning" || n == "warn") return TraceLevel::kWarning;
  if (n == "error") return TraceLevel::kError;
  return std::nullopt;
}

Result<std::unique_ptr<TraceLog>> TraceLog::open(const std::filesystem::path& directory,
                                                 TraceLevel level, bool console) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return make_error(directory.string() + ": " + ec.message());
  std::filesystem::path path = directory / ("debug_trace_" + timestamp("%Y%m%d_%H%M%S", false) +
                                            "_" + std::to_string(::getpid()) + ".jsonl");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(path.string() + ": cannot open the trace file");
  return std::unique_ptr<TraceLog>(new TraceLog(path, fd, level, console));
}

TraceLog::~TraceLog() { ::close(fd_); }

void TraceLog::record(TraceLevel level, std::string_view event, const nlohmann::json& data) {
  if (!enabled(level)) return;
  nlohmann::json line = {
      {"ts", timestamp("%Y-%m-%dT%H:%M:%S", true)},
      {"level", level_name(level)},
      {"event", std::string(event)},
      {"thread", std::hash<std::thread::id>{}(std::this_thread::get_id()) % 100000},
      {"data", redact(data)}};
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mutex_);
  ssize_t written = ::write(fd_, text.data(), text.size());
  (void)written;
  if (console_)
    std::fprintf(stderr, "[%s] %.*s %s\n", level_name(level), static_cast<int>(event.size()),
                 event.data(), line["data"].dump().c_str());
}

}  // namespace telinject
