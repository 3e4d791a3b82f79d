// The log: spdlog, one logger named "telinject" shared by core and its fronts. Core only writes
// to it; the front decides where it goes (the CLI: stderr; the language server: stderr and the
// client's log window) and from which level.
#pragma once

#include <spdlog/logger.h>

#include <optional>
#include <string_view>

namespace telinject {

/// The logger. Until a front configures it: stderr, "telinject: <level>: <message>", warnings
/// and above.
spdlog::logger& logger();

/// "trace", "debug", "info", "warning" (or "warn"), "error", "off"; any case.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

}  // namespace telinject
