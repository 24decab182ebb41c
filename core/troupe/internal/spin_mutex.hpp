#pragma once
// spin_mutex: a lock for critical sections of a few stores (the actor table's shards), where
// a futex-based mutex's unlock (a locked instruction and a check for sleepers) costs more
// than the work it guards. Waiters spin with pause, and yield the core after a while so that
// a preempted holder can run. BasicLockable: use it with std::lock_guard.

#include <atomic>
#include <thread>

namespace troupe::internal {

/// A pause hint for busy-waiting loops.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

class spin_mutex {
public:
    void lock() noexcept {
        for (int spins = 0; locked_.exchange(true, std::memory_order_acquire);) {
            while (locked_.load(std::memory_order_relaxed)) {
                if (++spins < 64) {
                    cpu_relax();
                } else {
                    std::this_thread::yield();
                }
            }
        }
    }
    void unlock() noexcept { locked_.store(false, std::memory_order_release); }

private:
    std::atomic<bool> locked_{false};
};

}  // namespace troupe::internal
