#include <troupe/internal/actor_table.hpp>

namespace troupe::internal {

void actor_table::insert(address a, detail::actor_cell& cell) {
    cell.add_ref();
    auto& s = shard_of(a);
    std::lock_guard lock{s.mutex};
    s.actors.emplace(a.bits(), &cell);
}

detail::intrusive_ptr<detail::actor_cell> actor_table::find(address a) const {
    auto& s = shard_of(a);
    std::lock_guard lock{s.mutex};
    auto it = s.actors.find(a.bits());
    return it == s.actors.end() ? nullptr : detail::intrusive_ptr<detail::actor_cell>(it->second);
}

detail::actor_cell* actor_table::erase(address a) noexcept {
    auto& s = shard_of(a);
    std::lock_guard lock{s.mutex};
    auto it = s.actors.find(a.bits());
    if (it == s.actors.end()) return nullptr;
    auto* cell = it->second;
    s.actors.erase(it);
    return cell;
}

std::vector<detail::intrusive_ptr<detail::actor_cell>> actor_table::snapshot() const {
    std::vector<detail::intrusive_ptr<detail::actor_cell>> all;
    for (auto& s : shards_) {
        std::lock_guard lock{s.mutex};
        all.reserve(all.size() + s.actors.size());
        for (auto& [bits, cell] : s.actors) all.emplace_back(cell);
    }
    return all;
}

void actor_table::clear() noexcept {
    for (auto& s : shards_) {
        boost::unordered_flat_map<std::uint64_t, detail::actor_cell*> left;
        {
            std::lock_guard lock{s.mutex};
            left.swap(s.actors);
        }
        for (auto& [bits, cell] : left) cell->release();
    }
}

}  // namespace troupe::internal
