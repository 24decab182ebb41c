#pragma once
// actor_table: the node's table of live actors, by address. It holds a strong reference to
// each, taken at spawn and dropped when the actor exits, and answers untyped sends
// (node::tell(address, ...)), names and timers that must find an actor by its address.
//
// Spawning and exiting are the hot writers (a spawn-heavy program inserts and erases
// millions of entries a second), so the table is split into shards by a hash of the
// address, each an open-addressing map (no allocation per entry) behind its own short
// mutex: threads spawning at once mostly take different locks.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include <troupe/address.hpp>
#include <troupe/detail/actor_cell.hpp>
#include <troupe/detail/intrusive_ptr.hpp>

namespace troupe::internal {

class actor_table {
public:
    actor_table() = default;
    actor_table(const actor_table&) = delete;
    actor_table& operator=(const actor_table&) = delete;

    /// Adds `cell` under `a`, taking a reference to it.
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

private:
    static constexpr std::size_t shard_count = 64;
    struct alignas(64) shard {
        mutable std::mutex mutex;
        boost::unordered_flat_map<std::uint64_t, detail::actor_cell*> actors;
    };
    shard& shard_of(address a) const noexcept {
        return shards_[(a.bits() * 0x9E3779B97F4A7C15ULL) >> 58];
    }
    static_assert(shard_count == 64, "shard_of takes the top 6 bits of the hash");

    mutable shard shards_[shard_count];
};

}  // namespace troupe::internal
