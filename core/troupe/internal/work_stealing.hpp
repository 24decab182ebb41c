#pragma once
// The default executor: tokio's multi-thread scheduler, adapted. Each worker has a LIFO slot
// (message locality) and a bounded lock-free run queue others can steal from; external
// threads and overflow feed a global injection queue; idle workers park on a futex.
// The scheduling and parking protocol is described at the top of work_stealing.cpp.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <troupe/executor.hpp>
#include <troupe/internal/timer_thread.hpp>

namespace troupe::internal {

/// Messages a job may process per resume().
inline constexpr std::size_t job_budget = 64;
/// Slots of each worker's run queue (a power of two).
inline constexpr std::size_t local_queue_capacity = 256;
/// Consecutive runs through the LIFO slot before its job goes to the back of the queue.
inline constexpr std::uint32_t lifo_cap = 8;
/// Every this many jobs a worker looks at the global queue before its own.
inline constexpr std::uint32_t global_queue_interval = 61;

class work_stealing_executor final : public executor {
public:
    /// Starts `workers` threads (at least 1) and the timer thread.
    explicit work_stealing_executor(std::size_t workers);
    /// Calls shutdown().
    ~work_stealing_executor() override;

    work_stealing_executor(const work_stealing_executor&) = delete;
    work_stealing_executor& operator=(const work_stealing_executor&) = delete;

    /// Thread-safe. On one of this executor's workers the job goes to that worker's LIFO
    /// slot (it runs next there); from any other thread, to the global queue.
    void schedule(resumable* job) noexcept override;
    /// Thread-safe.
    time_point now() const noexcept override;
    /// Thread-safe.
    void schedule_timer(detail::timer_node* timer) override;
    /// On a worker: the job in its LIFO slot goes to its run queue, and a parked worker
    /// is woken to take it.
    void share_local() noexcept override;
    std::size_t concurrency() const noexcept override;
    /// Thread-safe and idempotent; never from one of this executor's workers (aborts).
    void shutdown() noexcept override;
    bool on_worker_thread() const noexcept override;

private:
    class local_queue;
    class global_queue;
    struct worker;

    // All of these run on worker `w`'s own thread.
    void run_worker(worker& w);
    resumable* next_job(worker& w);
    resumable* take_global_batch(worker& w);
    resumable* search(worker& w);
    resumable* steal(worker& w);
    void run(worker& w, resumable* job);
    void push_back(worker& w, resumable* job);
    void park(worker& w);
    void leave_searching(worker& w) noexcept;

    // Thread-safe.
    void notify_parked() noexcept;
    bool work_visible() const noexcept;
    void release_all(resumable* const* jobs, std::size_t n) noexcept;

    const std::size_t num_workers_;
    std::unique_ptr<worker[]> workers_;
    std::unique_ptr<global_queue> global_;

    // Idle bookkeeping (read on every push to a shared queue, written on park/unpark).
    alignas(64) std::atomic<std::uint32_t> searching_{0};  // workers looking for work
    std::atomic<std::uint32_t> num_sleepers_{0};           // == sleepers_.size()
    std::mutex sleep_mutex_;
    std::vector<std::uint32_t> sleepers_;  // parked workers' indices; guarded by sleep_mutex_

    alignas(64) std::atomic<bool> stop_{false};

    timer_thread timers_;
    std::mutex shutdown_mutex_;
    bool joined_ = false;  // guarded by shutdown_mutex_
};

}  // namespace troupe::internal
