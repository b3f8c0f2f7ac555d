// A bounded queue between two pipeline threads. Live paths drop the oldest item when
// full (and count it) so the producer never waits; exports block the producer so no
// frame is lost. close() lets the consumer drain what is left; cancel() ends at once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace stylize::pipeline {

enum class QueuePolicy { Block, DropOldest };

template <class T>
class FrameQueue {
public:
    FrameQueue(std::size_t capacity, QueuePolicy policy) : capacity_(capacity < 1 ? 1 : capacity), policy_(policy) {}
    FrameQueue(const FrameQueue&) = delete;
    FrameQueue& operator=(const FrameQueue&) = delete;

    // Adds an item. Block: waits while full. DropOldest: discards the oldest when full.
    // Returns false (and discards the item) once the queue is closed or cancelled.
    bool push(T item)
    {
        std::optional<T> dropped;  // destroyed outside the lock: freeing frames can be slow
        {
            std::unique_lock lock(mutex_);
            if (policy_ == QueuePolicy::Block)
                notFull_.wait(lock, [&] { return items_.size() < capacity_ || closed_ || cancelled_; });
            if (closed_ || cancelled_)
                return false;
            if (items_.size() >= capacity_) {
                dropped.emplace(std::move(items_.front()));
                items_.pop_front();
                ++dropped_;
            }
            items_.push_back(std::move(item));
            ++pushed_;
        }
        notEmpty_.notify_one();
        return true;
    }

    // Takes the oldest item, waiting for one. Empty once closed and drained, or cancelled.
    std::optional<T> pop()
    {
        std::optional<T> item;
        {
            std::unique_lock lock(mutex_);
            notEmpty_.wait(lock, [&] { return !items_.empty() || closed_ || cancelled_; });
            if (cancelled_ || items_.empty())
                return std::nullopt;
            item.emplace(std::move(items_.front()));
            items_.pop_front();
            ++popped_;
        }
        notFull_.notify_one();
        return item;
    }

    // No more items will come; the consumer still gets the ones queued.
    void close()
    {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        notEmpty_.notify_all();
        notFull_.notify_all();
    }

    // Stop now: wakes every waiter, discards what is queued.
    void cancel()
    {
        std::deque<T> discarded;
        {
            std::lock_guard lock(mutex_);
            cancelled_ = true;
            discarded.swap(items_);
        }
        notEmpty_.notify_all();
        notFull_.notify_all();
    }

    std::int64_t pushed() const { return locked(pushed_); }
    std::int64_t popped() const { return locked(popped_); }
    std::int64_t dropped() const { return locked(dropped_); }
    std::size_t size() const
    {
        std::lock_guard lock(mutex_);
        return items_.size();
    }
    std::size_t capacity() const { return capacity_; }

private:
    std::int64_t locked(const std::int64_t& counter) const
    {
        std::lock_guard lock(mutex_);
        return counter;
    }

    const std::size_t capacity_;
    const QueuePolicy policy_;
    mutable std::mutex mutex_;
    std::condition_variable notEmpty_, notFull_;
    std::deque<T> items_;       // mutex_
    bool closed_ = false;       // mutex_
    bool cancelled_ = false;    // mutex_
    std::int64_t pushed_ = 0;   // mutex_: items accepted
    std::int64_t popped_ = 0;   // mutex_: items taken by the consumer
    std::int64_t dropped_ = 0;  // mutex_: items discarded by DropOldest
};

}  // namespace stylize::pipeline
