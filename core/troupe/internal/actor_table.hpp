#pragma once
// actor_table: the node's table of live actors, by address. It holds a strong reference to
// each, taken at spawn and dropped when the actor exits, and answers untyped sends
// (node::tell(address, ...)), names and timers that must find an actor by its address.
//
// Spawning and exiting are the hot writers (a spawn-heavy program inserts and erases millions
// of entries a second), and a node numbers its actors 1, 2, 3, ... (the host part of the
// address). So the table is indexed, not hashed: the id's low 6 bits pick one of 64 shards,
// each behind its own spin lock (a few stores under it), and the rest is an index into the
// shard's pages of 1024 slots, kept for the span of ids that may still be alive. A page whose
// actors have all exited is freed (unless it is the newest, where the next ids land), and the
// span shrinks from its ends. No hashing, no probing, no rehashing while actors come and go; 8
// bytes a live actor.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include <troupe/address.hpp>
#include <troupe/detail/actor_cell.hpp>
#include <troupe/detail/intrusive_ptr.hpp>
#include <troupe/internal/spin_mutex.hpp>

namespace troupe::internal {

class actor_table {
public:
    /// Actor ids are `address.bits() & host_mask`.
    explicit actor_table(std::uint64_t host_mask) noexcept : host_mask_(host_mask) {}
    actor_table(const actor_table&) = delete;
    actor_table& operator=(const actor_table&) = delete;
    ~actor_table();

    /// Adds `cell` under `a` (a free address of this node), taking a reference to it.
    void insert(address a, detail::actor_cell& cell);
    /// The actor at `a` (a new reference), or null.
    detail::intrusive_ptr<detail::actor_cell> find(address a) const;
    /// Removes the entry of `a` and returns the table's reference to it (null if absent):
    /// the caller releases it.
    detail::actor_cell* erase(address a) noexcept;
    /// A reference to every actor in the table.
    std::vector<detail::intrusive_ptr<detail::actor_cell>> snapshot() const;
    /// Empties the table, releasing its references.
    void clear() noexcept;
    /// Pages allocated, over all shards (for tests and stats).
    std::size_t page_count() const;

private:
    static constexpr int shard_bits = 6;
    static constexpr std::size_t shard_count = std::size_t{1} << shard_bits;
    static constexpr int page_bits = 10;
    static constexpr std::size_t page_size = std::size_t{1} << page_bits;

    struct page {
        detail::actor_cell* slots[page_size] = {};
        std::size_t used = 0;
    };
    struct alignas(64) shard {
        mutable spin_mutex mutex;
        std::uint64_t first_page = 0;             // the page number of pages.front()
        std::deque<std::unique_ptr<page>> pages;  // null: freed, every actor of it exited
    };
    struct position {
        shard* s;
        std::uint64_t page_no;
        std::size_t slot;
    };
    position locate(address a) const noexcept;
    /// The slot of `p` if its page exists; requires the shard's mutex.
    static detail::actor_cell** slot_of(const position& p) noexcept;

    const std::uint64_t host_mask_;
    mutable shard shards_[shard_count];
};

}  // namespace troupe::internal
