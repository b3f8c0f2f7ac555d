// A minimal fork-join loop for the CPU reference: splits [0, n) over a few std::threads.
#pragma once

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace stylize::cpu {

// Runs body(i) for every i in [0, n), in contiguous chunks on up to maxThreads threads
// (the reference's targets have 2 cores; more threads only add contention with the
// Vulkan CPU driver running beside it). `work` is a rough cost of the whole loop in
// multiply-adds: small loops run inline, where a thread would cost more than it saves.
// The first exception thrown by a body is rethrown on the calling thread.
template <typename Body>
void parallelFor(int n, double work, Body&& body, int maxThreads = 2)
{
    constexpr double kMinWorkPerThread = 2e5;
    const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int threads = std::clamp(static_cast<int>(work / kMinWorkPerThread), 1,
                                   std::min({maxThreads, hw, std::max(n, 1)}));
    if (threads <= 1) {
        for (int i = 0; i < n; ++i)
            body(i);
        return;
    }
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
    std::vector<std::jthread> pool;
    pool.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            try {
                for (int i = n * t / threads; i < n * (t + 1) / threads; ++i)
                    body(i);
            } catch (...) {
                errors[static_cast<std::size_t>(t)] = std::current_exception();
            }
        });
    }
    pool.clear();  // joins
    for (auto& e : errors)
        if (e)
            std::rethrow_exception(e);
}

}  // namespace stylize::cpu
