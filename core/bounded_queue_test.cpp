#include "bounded_queue.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

using telinject::BoundedQueue;

TEST_SUITE("bounded queue") {
  TEST_CASE("items come out in order, and pop ends once closed and drained") {
    BoundedQueue<int> queue(4);
    for (int i = 0; i < 3; ++i) queue.push(i);
    queue.close();
    for (int i = 0; i < 3; ++i) CHECK(queue.pop() == i);
    CHECK_FALSE(queue.pop());
  }

  TEST_CASE("a producer never gets more than `capacity` items ahead of the consumers") {
    constexpr int kItems = 2000, kCapacity = 8;
    BoundedQueue<int> queue(kCapacity);
    std::atomic<int> pushed{0}, popped{0}, most_ahead{0};
    std::thread producer([&] {
      for (int i = 0; i < kItems; ++i) {
        queue.push(i);
        int ahead = ++pushed - popped;
        for (int seen = most_ahead;
             ahead > seen && !most_ahead.compare_exchange_weak(seen, ahead);) {
        }
      }
      queue.close();
    });
    std::vector<std::thread> consumers;
    std::atomic<long> sum{0};
    for (int c = 0; c < 3; ++c)
      consumers.emplace_back([&] {
        while (std::optional<int> item = queue.pop()) {
          sum += *item;
          ++popped;
        }
      });
    producer.join();
    for (auto& consumer : consumers) consumer.join();
    CHECK(popped == kItems);
    CHECK(sum == static_cast<long>(kItems) * (kItems - 1) / 2);
    // Counted after the push returns: at most the queue's items plus one per consumer in hand.
    CHECK(most_ahead <= kCapacity + 3 + 1);
  }
}
