#include <atomic>
#include <mutex>
#include <new>
#include <vector>

#include <troupe/detail/pool.hpp>

namespace troupe::detail {
namespace {

constexpr std::size_t batch_size = pool_batch_size;
constexpr std::size_t class_count = pool_max_block / pool_granule;
constexpr std::size_t depot_max_batches = 64;  // per class; beyond that, back to the heap

std::size_t block_size(std::size_t cls) {
    return (cls + 1) * pool_granule;
}

// Batches of `batch_size` blocks linked through pool_block::next.
struct depot {
    std::mutex mutex;
    std::vector<pool_block*> batches[class_count];
    // batches[c].size(), readable without the lock: an allocation that finds its list and
    // the depot empty (a producer outrunning its consumer) goes to the heap without locking.
    std::atomic<std::size_t> available[class_count] = {};
};

depot& the_depot() {
    static depot* d = new depot;  // never destroyed: threads may exit after static destruction
    return *d;
}

void free_list(pool_block* b) noexcept {
    while (b) {
        auto* next = b->next;
        ::operator delete(b);
        b = next;
    }
}

}  // namespace

pool_cache::~pool_cache() {
    for (auto& c : classes) {
        free_list(c.head);
        c.head = nullptr;
        c.count = 0;
    }
}

void* pool_allocate_slow(std::size_t size) {
    auto cls = pool_class_of(size);
    auto& c = this_thread_pool().classes[cls];
    if (auto& d = the_depot(); d.available[cls].load(std::memory_order_relaxed) > 0) {
        std::lock_guard lock{d.mutex};
        auto& batches = d.batches[cls];
        if (!batches.empty()) {
            c.head = batches.back();
            batches.pop_back();
            c.count = batch_size;
            d.available[cls].store(batches.size(), std::memory_order_relaxed);
        }
    }
    if (auto* b = c.head) {
        c.head = b->next;
        --c.count;
        return b;
    }
    return ::operator new(block_size(cls));
}

void pool_free_slow(void* p, std::size_t size) noexcept {
    auto cls = pool_class_of(size);
    auto& c = this_thread_pool().classes[cls];
    auto* b = static_cast<pool_block*>(p);
    b->next = c.head;
    c.head = b;
    if (++c.count < 2 * batch_size) return;
    // The list is full: hand one batch to the depot for threads whose lists run dry.
    pool_block* batch = c.head;
    pool_block* last = batch;
    for (std::size_t i = 1; i < batch_size; ++i) last = last->next;
    c.head = last->next;
    last->next = nullptr;
    c.count -= batch_size;
    auto& d = the_depot();
    {
        std::lock_guard lock{d.mutex};
        auto& batches = d.batches[cls];
        if (batches.size() < depot_max_batches) {
            batches.push_back(batch);
            d.available[cls].store(batches.size(), std::memory_order_relaxed);
            return;
        }
    }
    free_list(batch);
}

}  // namespace troupe::detail
