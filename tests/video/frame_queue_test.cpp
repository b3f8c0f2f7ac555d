// FrameQueue: drop-oldest counting, blocking without loss, close and cancel.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "pipeline/frame_queue.h"

namespace stylize::pipeline {
namespace {

TEST(FrameQueue, DropOldestKeepsTheNewestAndCountsDrops)
{
    FrameQueue<int> q(2, QueuePolicy::DropOldest);
    for (int i = 0; i < 5; ++i)
        EXPECT_TRUE(q.push(i));
    EXPECT_EQ(q.dropped(), 3);
    EXPECT_EQ(q.pushed(), 5);
    q.close();
    EXPECT_EQ(q.pop(), 3);
    EXPECT_EQ(q.pop(), 4);
    EXPECT_EQ(q.pop(), std::nullopt);
    EXPECT_EQ(q.popped(), 2);
}

TEST(FrameQueue, BlockingLosesNothingAndNeverOverfills)
{
    FrameQueue<int> q(2, QueuePolicy::Block);
    std::atomic<std::size_t> maxSize{0};
    std::thread producer([&] {
        for (int i = 0; i < 50; ++i) {
            ASSERT_TRUE(q.push(i));
            maxSize = std::max<std::size_t>(maxSize, q.size());
        }
        q.close();
    });
    std::vector<int> received;
    while (auto v = q.pop()) {
        received.push_back(*v);
        if (received.size() % 10 == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));  // a slow consumer
    }
    producer.join();
    ASSERT_EQ(received.size(), 50u);
    for (int i = 0; i < 50; ++i)
        EXPECT_EQ(received[i], i);
    EXPECT_EQ(q.dropped(), 0);
    EXPECT_LE(maxSize.load(), 2u);
}

TEST(FrameQueue, CloseLetsTheConsumerDrainThenEnds)
{
    FrameQueue<int> q(3, QueuePolicy::Block);
    q.push(1);
    q.push(2);
    q.close();
    EXPECT_FALSE(q.push(3));  // refused after close
    EXPECT_EQ(q.pop(), 1);
    EXPECT_EQ(q.pop(), 2);
    EXPECT_EQ(q.pop(), std::nullopt);
}

TEST(FrameQueue, CancelWakesABlockedProducerAndConsumer)
{
    FrameQueue<int> full(1, QueuePolicy::Block);
    full.push(0);
    std::atomic<int> pushResult{-1};
    std::thread producer([&] { pushResult = full.push(1) ? 1 : 0; });

    FrameQueue<int> empty(1, QueuePolicy::Block);
    std::atomic<int> popResult{-1};
    std::thread consumer([&] { popResult = empty.pop().has_value() ? 1 : 0; });

    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(pushResult.load(), -1);  // still waiting
    EXPECT_EQ(popResult.load(), -1);
    const auto t0 = std::chrono::steady_clock::now();
    full.cancel();
    empty.cancel();
    producer.join();
    consumer.join();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
    EXPECT_EQ(pushResult.load(), 0);
    EXPECT_EQ(popResult.load(), 0);
    EXPECT_EQ(full.pop(), std::nullopt);  // cancelled queues hand out nothing
}

TEST(FrameQueue, DropOldestNeverBlocksTheProducer)
{
    FrameQueue<std::unique_ptr<int>> q(2, QueuePolicy::DropOldest);
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000; ++i)
        q.push(std::make_unique<int>(i));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
    EXPECT_EQ(q.dropped(), 998);
    EXPECT_EQ(**q.pop(), 998);
}

}  // namespace
}  // namespace stylize::pipeline
