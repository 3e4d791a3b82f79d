#include "log.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <memory>
#include <string>

namespace telinject {

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    auto made = std::make_shared<spdlog::logger>("telinject",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
    made->set_pattern("telinject: %l: %v");
    made->set_level(spdlog::level::warn);
    made->flush_on(spdlog::level::trace);  // stderr is read as it comes
    return made;
  }();
  return *logger;
}

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "warn") lower = "warning";
  for (int level = spdlog::level::trace; level <= spdlog::level::off; ++level) {
    auto known = static_cast<spdlog::level::level_enum>(level);
    if (lower == std::string_view(spdlog::level::to_string_view(known).data(),
                                  spdlog::level::to_string_view(known).size()) &&
        known != spdlog::level::critical)
      return known;
  }
  return std::nullopt;
}

}  // namespace telinject
