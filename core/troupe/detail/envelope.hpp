#pragma once
// The envelope: one message on its way to an actor, with who sent it, where the reply goes
// and which priority lane it takes. Allocated from the per-thread pool; linked
// intrusively through the mailbox, so a send allocates exactly one block and locks nothing.

#include <cstdint>
#include <new>
#include <utility>

#include <troupe/address.hpp>
#include <troupe/detail/pool.hpp>
#include <troupe/detail/reply_sink.hpp>
#include <troupe/detail/type_id.hpp>

namespace troupe {

/// Mailbox lanes, highest first: kill > exit signals and stop > system > user messages.
enum class priority : std::uint8_t { user = 0, system = 1, exit = 2, kill = 3 };

namespace detail {

struct envelope;

struct envelope_ops {
    type_id type;
    void (*destroy)(envelope*) noexcept;  // runs the payload's destructor, frees the block
};

struct envelope {
    envelope* next = nullptr;
    const envelope_ops* ops;
    address sender;
    reply_sink* reply = nullptr;  // owned reference; null for tell
    priority prio = priority::user;
    /// Made by the runtime (down, exit_signal): not counted against a bounded mailbox's
    /// capacity, never a dead letter.
    bool runtime = false;

    type_id type() const noexcept { return ops->type; }

    /// Takes the reply sink out (the caller now owns that reference).
    reply_sink* take_reply() noexcept { return std::exchange(reply, nullptr); }
};

template <class T>
struct envelope_of final : envelope {
    T value;

    template <class... Args>
    explicit envelope_of(Args&&... args) : value(std::forward<Args>(args)...) {}

    static void destroy(envelope* e) noexcept {
        auto* self = static_cast<envelope_of*>(e);
        self->~envelope_of();
        pool_free(self, sizeof(envelope_of));
    }
    static constexpr envelope_ops table{type_id_of<T>(), &destroy};
};

/// Allocates an envelope carrying T built from args.
template <class T, class... Args>
envelope_of<T>* make_envelope(priority prio, address sender, Args&&... args) {
    void* mem = pool_allocate(sizeof(envelope_of<T>));
    envelope_of<T>* e;
    try {
        e = ::new (mem) envelope_of<T>(std::forward<Args>(args)...);
    } catch (...) {
        pool_free(mem, sizeof(envelope_of<T>));
        throw;
    }
    e->ops = &envelope_of<T>::table;
    e->sender = sender;
    e->prio = prio;
    return e;
}

/// Destroys an envelope. An unanswered ask learns why through `unanswered`.
void dispose(envelope* e, errc unanswered, const char* why) noexcept;
/// Destroys an envelope; an unanswered ask fails with `why`.
void fail(envelope* e, error why) noexcept;

/// Owning pointer to an envelope (disposes with errc::no_reply if never handled).
class envelope_ptr {
public:
    envelope_ptr() = default;
    explicit envelope_ptr(envelope* e) noexcept : e_(e) {}
    envelope_ptr(envelope_ptr&& o) noexcept : e_(std::exchange(o.e_, nullptr)) {}
    envelope_ptr& operator=(envelope_ptr&& o) noexcept {
        reset(std::exchange(o.e_, nullptr));
        return *this;
    }
    ~envelope_ptr() { reset(); }

    envelope* get() const noexcept { return e_; }
    envelope* release() noexcept { return std::exchange(e_, nullptr); }
    envelope* operator->() const noexcept { return e_; }
    explicit operator bool() const noexcept { return e_ != nullptr; }
    void reset(envelope* e = nullptr) noexcept {
        if (auto* old = std::exchange(e_, e)) {
            dispose(old, errc::no_reply, "the message was dropped without a reply");
        }
    }

private:
    envelope* e_ = nullptr;
};

}  // namespace detail
}  // namespace troupe
