#include <string>

#include <spdlog/logger.h>

#include <troupe/detail/reply_sink.hpp>
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
