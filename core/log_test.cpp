#include "log.h"

#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

namespace telinject {

TEST_SUITE("log") {
  TEST_CASE("level names as the CLI and the server settings accept them") {
    CHECK(parse_log_level("debug") == spdlog::level::debug);
    CHECK(parse_log_level("WARN") == spdlog::level::warn);
    CHECK(parse_log_level("Warning") == spdlog::level::warn);
    CHECK(parse_log_level("off") == spdlog::level::off);
    CHECK_FALSE(parse_log_level("critical"));
    CHECK_FALSE(parse_log_level("loud"));
  }

  TEST_CASE("one logger, warnings and above unless a front says otherwise") {
    std::ostringstream seen;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(seen);
    sink->set_pattern("%l: %v");
    logger().sinks().push_back(sink);
    logger().info("not shown");
    logger().warn("cache {} damaged", "x");
    logger().sinks().pop_back();
    CHECK(seen.str() == "warning: cache x damaged\n");
  }
}

}  // namespace telinject
