#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <lua.hpp>

#include <troupe/lua/detail/script_data.hpp>
#include <troupe/lua/script.hpp>

namespace troupe::lua {

namespace {

result<void> read_file(const std::filesystem::path& path, const char* which, source& into) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return error{errc::invalid_argument, std::string{"cannot read the "} + which + " script " +
                                                 path.string() + ": " + std::strerror(errno)};
    }
    std::ostringstream text;
    text << in.rdbuf();
    into.code = std::move(text).str();
    into.chunk_name = path.string();
    return {};
}

/// The scratch state's allocator: within the scripts' memory limit, since ctx.spawn builds
/// scripts from what a running script gives it.
struct bounded_heap {
    std::size_t used = 0;
    std::size_t limit = 0;

    static void* allocate(void* ud, void* ptr, std::size_t osize, std::size_t nsize) noexcept {
        auto& h = *static_cast<bounded_heap*>(ud);
        std::size_t old = ptr ? osize : 0;
        if (nsize == 0) {
            h.used -= old;
            std::free(ptr);
            return nullptr;
        }
        if (nsize > old && h.used - old + nsize > h.limit) return nullptr;
        void* p = std::realloc(ptr, nsize);
        if (p) h.used = h.used - old + nsize;
        return p;
    }
};

/// Compiles each script in a scratch state (no libraries: nothing runs), so that a syntax
/// error surfaces at build time with Lua's message and line.
result<void> check_syntax(const detail::script_data& d) {
    // A limit too small for any VM fails at spawn, with the VM's own message.
    bounded_heap heap{0, std::max<std::size_t>(d.limits.memory, 1u << 20)};
    std::unique_ptr<lua_State, void (*)(lua_State*)> L{lua_newstate(&bounded_heap::allocate, &heap),
                                                       lua_close};
    if (!L) return error{errc::invalid_argument, "cannot create a Lua state to check the scripts"};
    for (const source* s : {&d.started, &d.handle, &d.stopped}) {
        if (s->empty()) continue;
        std::string name = "@" + s->chunk_name;  // as vm.cpp loads it: long paths keep their end
        int status = luaL_loadbufferx(L.get(), s->code.data(), s->code.size(), name.c_str(), "t");
        if (status == LUA_ERRMEM) {
            return error{errc::invalid_argument,
                         "the " + s->chunk_name + " script needs more than limits::memory (" +
                             std::to_string(d.limits.memory) + " bytes) to compile"};
        }
        if (status != LUA_OK) {
            std::string why = lua_tostring(L.get(), -1);
            return error{errc::invalid_argument, why};
        }
        lua_pop(L.get(), 1);
    }
    return {};
}

result<void> check_limits(const lua::limits& l) {
    if (l.memory == 0) {
        return error{errc::invalid_argument,
                     "limits::memory is 0; give the VM some bytes "
                     "(the default is 64 MiB)"};
    }
    if (l.instructions == 0) {
        return error{errc::invalid_argument,
                     "limits::instructions is 0; allow some "
                     "instructions per message (the default is 100 "
                     "million)"};
    }
    return {};
}

}  // namespace

// --- script ------------------------------------------------------------------------------

const source& script::started() const noexcept {
    return data_->started;
}
const source& script::handle() const noexcept {
    return data_->handle;
}
const source& script::stopped() const noexcept {
    return data_->stopped;
}
const lua::limits& script::limits() const noexcept {
    return data_->limits;
}
duration script::send_timeout() const noexcept {
    return data_->send_timeout;
}

result<script> script::with_sources(source started, source handle, source stopped) const {
    auto d = std::make_shared<detail::script_data>(*data_);
    d->started = std::move(started);
    d->handle = std::move(handle);
    d->stopped = std::move(stopped);
    if (auto r = check_syntax(*d); !r) return r.error();
    return script{std::move(d)};
}

// --- builder -----------------------------------------------------------------------------

builder::builder() : data_(std::make_unique<detail::script_data>()) {}
builder::~builder() = default;
builder::builder(const builder& o)
    : data_(std::make_unique<detail::script_data>(*o.data_)),
      started_path_(o.started_path_),
      handle_path_(o.handle_path_),
      stopped_path_(o.stopped_path_) {}
builder& builder::operator=(const builder& o) {
    if (this != &o) *this = builder{o};
    return *this;
}

builder& builder::on_started(std::string code) {
    data_->started = source{std::move(code), "started"};
    started_path_.clear();
    return *this;
}
builder& builder::on_handle(std::string code) {
    data_->handle = source{std::move(code), "handle"};
    handle_path_.clear();
    return *this;
}
builder& builder::on_stopped(std::string code) {
    data_->stopped = source{std::move(code), "stopped"};
    stopped_path_.clear();
    return *this;
}
builder& builder::on_started_file(std::filesystem::path path) {
    started_path_ = std::move(path);
    return *this;
}
builder& builder::on_handle_file(std::filesystem::path path) {
    handle_path_ = std::move(path);
    return *this;
}
builder& builder::on_stopped_file(std::filesystem::path path) {
    stopped_path_ = std::move(path);
    return *this;
}
builder& builder::add_recipient(std::string name, address to) {
    for (auto& [n, a] : data_->recipients) {
        if (n == name) {
            a = to;
            return *this;
        }
    }
    data_->recipients.emplace_back(std::move(name), to);
    return *this;
}
builder& builder::registry(codec::registry& reg) {
    data_->registry = &reg;
    return *this;
}
builder& builder::limits(lua::limits l) {
    data_->limits = l;
    return *this;
}
builder& builder::grant(library lib) {
    data_->granted |= static_cast<std::uint8_t>(1u << static_cast<unsigned>(lib));
    return *this;
}
builder& builder::setup(setup_fn fn) {
    data_->setup.push_back(std::move(fn));
    return *this;
}
builder& builder::send_timeout(duration d) {
    data_->send_timeout = d;
    return *this;
}

result<script> builder::build() const {
    auto d = std::make_shared<detail::script_data>(*data_);
    const std::pair<const std::filesystem::path*, std::pair<const char*, source*>> files[] = {
        {&started_path_, {"started", &d->started}},
        {&handle_path_, {"handle", &d->handle}},
        {&stopped_path_, {"stopped", &d->stopped}},
    };
    for (const auto& [path, which] : files) {
        if (path->empty()) continue;
        if (auto r = read_file(*path, which.first, *which.second); !r) return r.error();
    }
    if (auto r = check_limits(d->limits); !r) return r.error();
    if (d->send_timeout <= duration::zero()) {
        return error{errc::invalid_argument, "send_timeout must be above zero"};
    }
    if (auto r = check_syntax(*d); !r) return r.error();
    return script{std::move(d)};
}

}  // namespace troupe::lua
