#include <cstdlib>

#include <troupe/ipc/client.hpp>
#include <troupe/ipc/internal/client_core.hpp>
#include <troupe/ipc/server.hpp>

namespace troupe::ipc {

namespace {

using answer = client::impl::answer;
using call_spec = client::impl::call_spec;

template <class T>
using state_ptr = troupe::detail::intrusive_ptr<troupe::detail::async_state<T>>;

// A pending completed from the socket thread. No executor: a blocking get() waits on the
// state itself, and a coroutine awaiting it inside an actor resumes inside that actor.
template <class T>
state_ptr<T> new_state() {
    return state_ptr<T>{new troupe::detail::async_state<T>, troupe::detail::adopt};
}

std::chrono::milliseconds patience_of(std::chrono::milliseconds given) {
    return std::max(given, std::chrono::milliseconds{0});
}

}  // namespace

std::string resolve_socket_path(const client_config& cfg) {
    if (!cfg.socket_path.empty()) return cfg.socket_path;
    if (const char* env = std::getenv("TROUPE_IPC_SOCKET"); env && *env) return env;
    return default_socket_path(cfg.app);
}

troupe::error error_of(code c, std::string_view message) {
    errc e = errc::invalid_argument;
    switch (c) {
        case code::timeout:
            e = errc::timeout;
            break;
        case code::actor_not_found:
            e = errc::no_such_actor;
            break;
        case code::target_busy:
            e = errc::mailbox_full;
            break;
        case code::handler_failed:
            e = errc::handler_failed;
            break;
        case code::serialization_error:
            e = errc::bad_message;
            break;
        case code::unknown_message_type:
            e = errc::not_found;
            break;
        case code::shutting_down:
            e = errc::shutting_down;
            break;
        default:
            break;
    }
    std::string reason{to_string(c)};
    reason += ": ";
    reason += message;
    return troupe::error{e, std::move(reason)};
}

std::optional<code> code_of_reason(const troupe::error& e) {
    const std::string& r = e.reason();
    const auto colon = r.find(':');
    if (colon == std::string::npos) return std::nullopt;
    return code_from_string(std::string_view{r}.substr(0, colon));
}

// --- client -------------------------------------------------------------------------------

result<client> client::connect(client_config cfg) {
    std::string path = resolve_socket_path(cfg);
    auto i = std::make_unique<impl>(std::move(cfg), std::move(path));
    if (auto ok = i->connect(); !ok) return ok.error();
    return client{std::move(i)};
}

client::client(std::unique_ptr<impl> i) noexcept : impl_(std::move(i)) {}
client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;
client::~client() = default;

troupe::error client::bad_reply(const troupe::error& why) {
    troupe::error e = error_of(code::serialization_error,
                               "the reply does not read as the type asked for: " + why.reason());
    return troupe::error{errc::bad_reply_type, e.reason()};
}

void client::send_request(std::string_view target, std::string_view type, value payload,
                          std::optional<std::chrono::milliseconds> timeout, reply_fn done) {
    const auto limit = timeout.value_or(impl_->cfg.timeout);
    ipc::request req;
    req.correlation_id = impl_->next_id();
    req.target = std::string{target};
    req.message_type = std::string{type};
    req.payload = std::move(payload);
    req.expects_reply = true;
    req.response_timeout_ms = limit.count();
    auto bytes = encode_frame(frame_type::request, impl_->cfg.format, req);
    if (!bytes) return done(bytes.error());
    call_spec spec;
    spec.patience = patience_of(limit);
    spec.finish = [done = std::move(done)](result<answer> r) mutable {
        if (!r) return done(r.error());
        done(r->head.payload ? std::move(*r->head.payload) : value{});
    };
    impl_->submit(std::move(req.correlation_id), std::move(*bytes), std::move(spec));
}

pending<value> client::request(std::string_view target, std::string_view type, value payload,
                               std::optional<std::chrono::milliseconds> timeout) {
    auto st = new_state<value>();
    send_request(target, type, std::move(payload), timeout,
                 [st](result<value> r) { st->complete(std::move(r)); });
    return pending<value>{std::move(st)};
}

pending<void> client::tell(std::string_view target, std::string_view type, value payload) {
    auto st = new_state<void>();
    ipc::request req;
    req.correlation_id = impl_->next_id();
    req.target = std::string{target};
    req.message_type = std::string{type};
    req.payload = std::move(payload);
    req.expects_reply = false;
    auto bytes = encode_frame(frame_type::request, impl_->cfg.format, req);
    if (!bytes) return pending<void>::ready(bytes.error());
    call_spec spec;
    spec.patience = patience_of(impl_->cfg.timeout);
    spec.finish = [st](result<answer> r) {
        st->complete(r ? result<void>{} : result<void>{r.error()});
    };
    impl_->submit(std::move(req.correlation_id), std::move(*bytes), std::move(spec));
    return pending<void>{std::move(st)};
}

pending<std::vector<value>> client::stream(std::string_view target, std::string_view type,
                                           value payload, std::function<void(const value&)> on_item,
                                           std::optional<std::chrono::milliseconds> timeout) {
    auto st = new_state<std::vector<value>>();
    const auto limit = timeout.value_or(impl_->cfg.timeout);
    ipc::request req;
    req.correlation_id = impl_->next_id();
    req.target = std::string{target};
    req.message_type = std::string{type};
    req.payload = std::move(payload);
    req.expects_stream = true;
    req.response_timeout_ms = limit.count();
    auto bytes = encode_frame(frame_type::request, impl_->cfg.format, req);
    if (!bytes) return pending<std::vector<value>>::ready(bytes.error());
    call_spec spec;
    spec.stream = true;
    spec.on_item = std::move(on_item);
    spec.patience = patience_of(limit);
    spec.finish = [st](result<answer> r) {
        if (!r) return (void)st->complete(r.error());
        st->complete(std::move(r->head.payload->as_array()));  // the items, gathered
    };
    impl_->submit(std::move(req.correlation_id), std::move(*bytes), std::move(spec));
    return pending<std::vector<value>>{std::move(st)};
}

namespace {

pending<std::vector<std::string>> change_subscriptions(client::impl& i,
                                                       std::vector<std::string> types,
                                                       frame_type kind) {
    auto st = new_state<std::vector<std::string>>();
    subscription_request req;
    req.correlation_id = i.next_id();
    req.message_types = std::move(types);
    auto bytes = encode_frame(kind, i.cfg.format, req);
    if (!bytes) return pending<std::vector<std::string>>::ready(bytes.error());
    call_spec spec;
    spec.patience = patience_of(i.cfg.timeout);
    spec.finish = [st](result<answer> r) {
        if (!r) return (void)st->complete(r.error());
        refusal why;
        auto body = read_envelope<subscription_response>(*r->raw, why);
        if (!body) {
            return (void)st->complete(
                error_of(code::protocol_error,
                         "the subscription answer cannot be read: " + why.why.message));
        }
        st->complete(std::move(body->subscribed_types).value_or(std::vector<std::string>{}));
    };
    i.submit(std::move(req.correlation_id), std::move(*bytes), std::move(spec));
    return pending<std::vector<std::string>>{std::move(st)};
}

}  // namespace

pending<std::vector<std::string>> client::subscribe(std::vector<std::string> types) {
    return change_subscriptions(*impl_, std::move(types), frame_type::subscribe);
}

pending<std::vector<std::string>> client::unsubscribe(std::vector<std::string> types) {
    return change_subscriptions(*impl_, std::move(types), frame_type::unsubscribe);
}

void client::on_push(std::function<void(const push&)> fn) {
    impl_->set_push_handler(std::move(fn));
}

pending<discover_response> client::discover(bool actors, bool types) {
    auto st = new_state<discover_response>();
    discover_request req;
    req.correlation_id = impl_->next_id();
    req.include_actors = actors;
    req.include_message_types = types;
    auto bytes = encode_frame(frame_type::discover, impl_->cfg.format, req);
    if (!bytes) return pending<discover_response>::ready(bytes.error());
    call_spec spec;
    spec.patience = patience_of(impl_->cfg.timeout);
    spec.finish = [st](result<answer> r) {
        if (!r) return (void)st->complete(r.error());
        refusal why;
        auto body = read_envelope<discover_response>(*r->raw, why);
        if (!body) {
            return (void)st->complete(error_of(
                code::protocol_error, "the discover answer cannot be read: " + why.why.message));
        }
        st->complete(std::move(*body));
    };
    impl_->submit(std::move(req.correlation_id), std::move(*bytes), std::move(spec));
    return pending<discover_response>{std::move(st)};
}

pending<std::chrono::nanoseconds> client::heartbeat() {
    auto st = new_state<std::chrono::nanoseconds>();
    std::string bytes;
    append_frame(bytes, frame_type::heartbeat, impl_->cfg.format, {});
    call_spec spec;
    spec.heartbeat = true;
    spec.patience = patience_of(impl_->cfg.timeout);
    spec.finish = [st, sent = impl::clock::now()](result<answer> r) {
        if (!r) return (void)st->complete(r.error());
        st->complete(
            std::chrono::duration_cast<std::chrono::nanoseconds>(impl::clock::now() - sent));
    };
    impl_->submit(impl_->next_id(), std::move(bytes), std::move(spec));
    return pending<std::chrono::nanoseconds>{std::move(st)};
}

void client::close() {
    if (impl_) impl_->close();
}

bool client::connected() const noexcept {
    return impl_ && impl_->open.load();
}

const std::string& client::socket_path() const noexcept {
    static const std::string none;
    return impl_ ? impl_->path : none;
}

}  // namespace troupe::ipc
