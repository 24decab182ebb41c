#include <troupe/internal/actor_table.hpp>

namespace troupe::internal {

actor_table::~actor_table() {
    clear();
}

actor_table::position actor_table::locate(address a) const noexcept {
    const std::uint64_t id = a.bits() & host_mask_;
    const std::uint64_t local = id >> shard_bits;
    return {&shards_[id & (shard_count - 1)], local >> page_bits,
            static_cast<std::size_t>(local & (page_size - 1))};
}

detail::actor_cell** actor_table::slot_of(const position& p) noexcept {
    auto& pages = p.s->pages;
    if (pages.empty() || p.page_no < p.s->first_page) return nullptr;
    const std::uint64_t index = p.page_no - p.s->first_page;
    if (index >= pages.size() || !pages[index]) return nullptr;
    return &pages[index]->slots[p.slot];
}

void actor_table::insert(address a, detail::actor_cell& cell) {
    cell.add_ref();
    const position p = locate(a);
    auto& s = *p.s;
    std::lock_guard lock{s.mutex};
    if (s.pages.empty()) s.first_page = p.page_no;
    // Ids are handed out in order but may be inserted a little out of order (several
    // threads spawn at once), so the span can grow at either end.
    while (p.page_no < s.first_page) {
        s.pages.emplace_front();
        --s.first_page;
    }
    if (p.page_no - s.first_page >= s.pages.size()) {
        // The newest page is kept while empty (see erase); now that it is not the newest
        // any more, free it if none of its actors is alive.
        if (!s.pages.empty() && s.pages.back() && s.pages.back()->used == 0) {
            s.pages.back().reset();
        }
        while (p.page_no - s.first_page >= s.pages.size()) s.pages.emplace_back();
    }
    auto& pg = s.pages[p.page_no - s.first_page];
    if (!pg) pg = std::make_unique<page>();
    pg->slots[p.slot] = &cell;
    ++pg->used;
    while (!s.pages.front()) {  // stops at the latest page at the latest
        s.pages.pop_front();
        ++s.first_page;
    }
}

detail::intrusive_ptr<detail::actor_cell> actor_table::find(address a) const {
    const position p = locate(a);
    std::lock_guard lock{p.s->mutex};
    detail::actor_cell** slot = slot_of(p);
    // The address must match in full: another node's (or subnet's) actor may share the id.
    if (!slot || !*slot || (*slot)->addr() != a) return nullptr;
    return detail::intrusive_ptr<detail::actor_cell>(*slot);
}

detail::actor_cell* actor_table::erase(address a) noexcept {
    const position p = locate(a);
    auto& s = *p.s;
    std::lock_guard lock{s.mutex};
    detail::actor_cell** slot = slot_of(p);
    if (!slot || !*slot || (*slot)->addr() != a) return nullptr;
    detail::actor_cell* cell = *slot;
    *slot = nullptr;
    const std::uint64_t index = p.page_no - s.first_page;
    if (--s.pages[index]->used == 0 && index + 1 < s.pages.size()) {
        // Not the newest page: its ids are all handed out, none of them live any more.
        s.pages[index].reset();
        while (!s.pages.empty() && !s.pages.front()) {
            s.pages.pop_front();
            ++s.first_page;
        }
    }
    return cell;
}

std::vector<detail::intrusive_ptr<detail::actor_cell>> actor_table::snapshot() const {
    std::vector<detail::intrusive_ptr<detail::actor_cell>> all;
    for (auto& s : shards_) {
        std::lock_guard lock{s.mutex};
        for (const auto& pg : s.pages) {
            if (!pg) continue;
            for (detail::actor_cell* cell : pg->slots) {
                if (cell) all.emplace_back(cell);
            }
        }
    }
    return all;
}

std::size_t actor_table::page_count() const {
    std::size_t n = 0;
    for (auto& s : shards_) {
        std::lock_guard lock{s.mutex};
        for (const auto& pg : s.pages) n += pg ? 1 : 0;
    }
    return n;
}

void actor_table::clear() noexcept {
    for (auto& s : shards_) {
        std::deque<std::unique_ptr<page>> left;
        {
            std::lock_guard lock{s.mutex};
            left.swap(s.pages);
        }
        for (const auto& pg : left) {
            if (!pg) continue;
            for (detail::actor_cell* cell : pg->slots) {
                if (cell) cell->release();
            }
        }
    }
}

}  // namespace troupe::internal
