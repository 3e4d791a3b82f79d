#include "cancellation.h"

#include <doctest/doctest.h>

using nlohmann::json;
using telinject::server::CancellationRegistry;

TEST_SUITE("cancellation") {
  TEST_CASE("a request is cancelled by id or by its progress token, and erased with its token") {
    CancellationRegistry registry;
    auto one = registry.add(1);
    auto two = registry.add("1");  // a string id is another request
    registry.link_progress("1", "token");
    CHECK(registry.size() == 3);
    registry.cancel(1);
    CHECK(*one);
    CHECK_FALSE(*two);
    registry.cancel_progress("token");
    CHECK(*two);
    registry.erase(1);
    registry.erase("1");
    CHECK(registry.size() == 0);
    registry.cancel_progress("token");  // forgotten: nothing to cancel, no entry made
    registry.cancel(1);
    CHECK(registry.size() == 0);
  }

  TEST_CASE("an unknown request gets an unset flag of its own; cancel_all reaches every one") {
    CancellationRegistry registry;
    auto unknown = registry.flag(5);
    CHECK_FALSE(*unknown);
    CHECK(registry.size() == 0);
    auto a = registry.add(1), b = registry.add(2);
    CHECK(registry.flag(1) == a);
    registry.cancel_all();
    CHECK(*a);
    CHECK(*b);
    CHECK_FALSE(*unknown);
  }
}
