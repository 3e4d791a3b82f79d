#include "disk_memo.h"

#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace telinject;

TEST_SUITE("disk_memo") {
  TEST_CASE("a value is computed once per key and kept for the memo's lifetime") {
    DiskMemo memo;
    int calls = 0;
    auto compute = [&] { return ++calls; };
    CHECK(memo.remember<int>("a", compute) == 1);
    CHECK(memo.remember<int>("a", compute) == 1);
    CHECK(memo.remember<int>("b", compute) == 2);
    CHECK(calls == 2);
    // Any copyable type; an empty answer is remembered like any other.
    auto none = [] { return std::optional<std::string>(); };
    CHECK_FALSE(memo.remember<std::optional<std::string>>("c", none).has_value());
    CHECK_FALSE(memo.remember<std::optional<std::string>>(
                        "c", [] { return std::optional<std::string>("x"); })
                    .has_value());
  }

  TEST_CASE("a computation may ask for other keys; threads agree on one value") {
    DiskMemo memo;
    std::function<int(int)> depth = [&](int n) {
      return memo.remember<int>("depth " + std::to_string(n),
                                [&] { return n == 0 ? 0 : depth(n - 1) + 1; });
    };
    CHECK(depth(5) == 5);

    std::atomic<int> next{0};
    std::vector<int> seen(8);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back(
          [&, t] { seen[t] = memo.remember<int>("shared", [&] { return ++next; }); });
    for (auto& thread : threads) thread.join();
    for (int value : seen) CHECK(value == seen.front());
  }
}
