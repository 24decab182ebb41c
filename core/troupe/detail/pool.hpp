#pragma once
// Allocation of envelopes and other small per-message objects without touching the global
// heap in steady state.
//
// Each thread keeps a free list per size class (16-byte steps up to 512 bytes). A block
// freed on another thread than the one that allocated it goes to the freeing thread's list:
// in a producer/consumer pair the consumer's lists fill while the producer's drain, so full
// lists hand a whole batch to a shared depot (one lock per batch of `batch_size` blocks,
// never per message) where empty lists take batches from. Larger blocks use operator new.

#include <cstddef>

namespace troupe::detail {

inline constexpr std::size_t pool_granule = 16;
inline constexpr std::size_t pool_max_block = 512;

void* pool_allocate_slow(std::size_t size);
void pool_free_slow(void* p, std::size_t size) noexcept;

struct pool_block {
    pool_block* next;
};

struct pool_class {
    pool_block* head = nullptr;
    std::size_t count = 0;
};

struct pool_cache {
    pool_class classes[pool_max_block / pool_granule];
    ~pool_cache();
};

inline pool_cache& this_thread_pool() noexcept {
    thread_local pool_cache cache;
    return cache;
}

inline std::size_t pool_class_of(std::size_t size) noexcept {
    return (size - 1) / pool_granule;
}

/// Thread-safe (each thread uses its own cache).
inline void* pool_allocate(std::size_t size) {
    if (size > pool_max_block) return ::operator new(size);
    auto& c = this_thread_pool().classes[pool_class_of(size)];
    if (auto* b = c.head) {
        c.head = b->next;
        --c.count;
        return b;
    }
    return pool_allocate_slow(size);
}

inline constexpr std::size_t pool_batch_size = 256;

/// `size` must be the size given to pool_allocate. Thread-safe.
inline void pool_free(void* p, std::size_t size) noexcept {
    if (size > pool_max_block) {
        ::operator delete(p);
        return;
    }
    auto& c = this_thread_pool().classes[pool_class_of(size)];
    if (c.count + 1 >= 2 * pool_batch_size) {
        pool_free_slow(p, size);
        return;
    }
    auto* b = static_cast<pool_block*>(p);
    b->next = c.head;
    c.head = b;
    ++c.count;
}

}  // namespace troupe::detail
