#include <string>

#include <spdlog/logger.h>

#include <troupe/detail/links.hpp>
#include <troupe/detail/reply_sink.hpp>
#include <troupe/detail/system_messages.hpp>
#include <troupe/local_actor.hpp>
#include <troupe/node.hpp>

namespace troupe {

void local_actor::on_unhandled(message_view msg) {
    auto& lg = home().logger();
    lg.warn("{} {}: no handler for a message of type {} (from {}); dropped", addr().to_string(),
            name(), msg.type_name(), msg.sender().to_string());
    if (auto* sink = msg.envelope().take_reply()) {
        sink->set_error(error{errc::handler_failed, std::string{name()} +
                                                        " does not handle messages of type " +
                                                        std::string{msg.type_name()}});
        sink->release();
    }
}

}  // namespace troupe

namespace troupe {

void local_actor::link(address other) {
    detail::link_cells(*cell_, home().lookup(other).get(), other);
}

void local_actor::unlink(address other) noexcept {
    detail::unlink_cells(*cell_, other);
}

monitor_ref local_actor::monitor(address target) {
    return detail::monitor_cell(*cell_, home().lookup(target).get(), target);
}

bool local_actor::demonitor(monitor_ref ref, demonitor_option opt) noexcept {
    bool live = detail::demonitor_cell(*cell_, ref);
    if (opt == demonitor_option::flush) flush_down(ref);
    return live;
}

void local_actor::exit(address to, exit_reason reason) const {
    home().exit(to, std::move(reason));
}

address local_actor::parent() const noexcept {
    return cell_->parent();
}

void local_actor::init_done() {
    address p = parent();
    if (!p) return;
    if (auto cell = home().lookup(p)) {
        cell->enqueue_or_drop(detail::make_envelope<detail::init_done_msg>(
            priority::system, addr(), detail::init_done_msg{addr()}));
    }
}

}  // namespace troupe
