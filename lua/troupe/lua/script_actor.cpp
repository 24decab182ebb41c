#include <stdexcept>

#include <troupe/lua/internal/vm.hpp>
#include <troupe/lua/script_actor.hpp>

namespace troupe::lua {

script_actor::script_actor(script s) : script_(std::move(s)) {}

script_actor::~script_actor() = default;

void script_actor::on_start() {
    vm_ = std::make_unique<internal::vm>(*this, script_);
    vm_->run_started();
    // quit() takes effect after a handled message; from the start hook there is none, so
    // ctx.terminate() in started asks for a stop that the actor handles once it runs.
    if (vm_->terminate_requested()) home().stop(addr());
}

void script_actor::on_stopped(const exit_reason& reason) {
    if (vm_) vm_->run_stopped(reason);
}

void script_actor::fail(const std::string& what, const std::string& traceback) {
    log().error("the Lua script failed: {}", traceback.empty() ? what : traceback);
    throw std::runtime_error(what);
}

task<value> script_actor::handle(value msg) {
    internal::step s = vm_->start(std::move(msg));
    for (;;) {
        switch (s.what) {
            case internal::step::kind::done:
                co_return std::move(s.reply);
            case internal::step::kind::failed:
                fail(s.error, s.traceback);
            case internal::step::kind::send: {
                auto& req = vm_->pending();
                auto asked = req.endpoint
                                 ? req.endpoint->ask(req.type, req.msg, req.timeout)
                                 : home().ask<value>(req.to, std::move(req.msg), req.timeout);
                result<value> reply = co_await asked;
                s = vm_->resume(std::move(reply));
                break;
            }
        }
    }
}

task<value> script_actor::handle(detail::note n) {
    vm_->noted(n.bytes);
    return handle(std::move(n.msg));
}

deferred<void> script_actor::handle(reload r) {
    auto reply = reply_later<void>();
    if (auto done = vm_->reload(r.next, r.mode); done) {
        script_ = vm_->current();
        reply.send();
    } else {
        reply.fail(done.error());
    }
    return {};
}

std::size_t script_actor::memory_used() const noexcept {
    return vm_ ? vm_->memory_used() : 0;
}

}  // namespace troupe::lua
