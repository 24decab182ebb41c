#include <algorithm>
#include <mutex>

#include <troupe/codec/registry.hpp>

namespace troupe::codec {

// --- registry --------------------------------------------------------------------------

result<void> registry::add(const message_type& t) {
    std::unique_lock lock{mutex_};
    auto [it, fresh] = types_.try_emplace(std::string{t.name()}, &t);
    if (fresh || it->second == &t) return {};
    return troupe::error{errc::duplicate_name,
                         "the message name \"" + std::string{t.name()} + "\" is taken by " +
                             std::string{it->second->cpp_name()} + "; " +
                             std::string{t.cpp_name()} + " needs another name"};
}

const message_type* registry::find(std::string_view name) const {
    std::shared_lock lock{mutex_};
    auto it = types_.find(name);
    return it == types_.end() ? nullptr : it->second;
}

std::vector<std::string_view> registry::names() const {
    std::shared_lock lock{mutex_};
    std::vector<std::string_view> out;
    out.reserve(types_.size());
    for (const auto& [name, type] : types_) out.push_back(type->name());
    return out;
}

void registry::remember(const endpoint& ep) {
    std::unique_lock lock{mutex_};
    exposed_.insert_or_assign(ep.addr().bits(), ep);
    if (exposed_.size() < next_sweep_) return;
    std::erase_if(exposed_, [](const auto& entry) { return !entry.second.alive(); });
    next_sweep_ = std::max<std::size_t>(64, 2 * exposed_.size());
}

std::optional<endpoint> registry::endpoint_at(address a) const {
    {
        std::shared_lock lock{mutex_};
        auto it = exposed_.find(a.bits());
        if (it == exposed_.end()) return std::nullopt;
        if (it->second.alive()) return it->second;
    }
    std::unique_lock lock{mutex_};
    auto it = exposed_.find(a.bits());
    if (it != exposed_.end() && !it->second.alive()) exposed_.erase(it);
    return std::nullopt;
}

namespace {

troupe::error unknown_type(std::string_view name) {
    return troupe::error{errc::not_found, "no message type is registered as \"" +
                                              std::string{name} + "\" (registry::add<T>())"};
}

}  // namespace

result<message_box> registry::decode(std::string_view name, format f, std::string_view in,
                                     const options& opts) const {
    const message_type* t = find(name);
    if (!t) return unknown_type(name);
    return t->decode(f, in, opts);
}

result<message_box> registry::from_value(std::string_view name, const value& v,
                                         const options& opts) const {
    const message_type* t = find(name);
    if (!t) return unknown_type(name);
    return t->from_value(v, opts);
}

// --- endpoint --------------------------------------------------------------------------

bool endpoint::alive() const {
    auto* cell = actor_.cell();
    return cell && cell->home().lookup(addr()).get() == cell;
}

std::vector<std::string_view> endpoint::message_types() const {
    std::vector<std::string_view> out;
    if (!bindings_) return out;
    for (const auto& b : *bindings_) out.push_back(b.type->name());
    return out;
}

const detail::binding* endpoint::lookup(std::string_view type) const noexcept {
    if (!bindings_) return nullptr;
    for (const auto& b : *bindings_)
        if (b.type->name() == type) return &b;
    return nullptr;
}

const message_type* endpoint::find(std::string_view type) const noexcept {
    const auto* b = lookup(type);
    return b ? b->type : nullptr;
}

std::string_view endpoint::reply_type(std::string_view type) const noexcept {
    const auto* b = lookup(type);
    return b ? b->reply : std::string_view{};
}

troupe::error endpoint::not_handled(std::string_view type) const {
    std::string why = std::string{actor_type_} + " at " + addr().to_string() +
                      " handles no message named \"" + std::string{type} + "\" (it handles";
    const char* sep = ": ";
    for (auto name : message_types()) {
        why += sep;
        why += name;
        sep = ", ";
    }
    if (sep[0] == ':') why += " no named messages";
    why += ")";
    return troupe::error{errc::not_found, std::move(why)};
}

pending<value> endpoint::ask(std::string_view type, const value& msg, duration timeout,
                             const options& opts) const {
    const auto* b = lookup(type);
    if (!b) return pending<value>::ready(not_handled(type));
    return b->ask_value(actor_, msg, timeout, opts);
}

pending<std::string> endpoint::ask(std::string_view type, format f, std::string_view msg,
                                   duration timeout, const options& opts) const {
    const auto* b = lookup(type);
    if (!b) return pending<std::string>::ready(not_handled(type));
    return b->ask_bytes(actor_, f, msg, timeout, opts);
}

result<void> endpoint::tell(std::string_view type, const value& msg, const options& opts) const {
    const auto* b = lookup(type);
    if (!b) return not_handled(type);
    return b->tell_value(actor_, msg, opts);
}

result<void> endpoint::tell(std::string_view type, format f, std::string_view msg,
                            const options& opts) const {
    const auto* b = lookup(type);
    if (!b) return not_handled(type);
    return b->tell_bytes(actor_, f, msg, opts);
}

}  // namespace troupe::codec
