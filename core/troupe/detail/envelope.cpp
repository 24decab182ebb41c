#include <troupe/detail/envelope.hpp>

namespace troupe::detail {

void dispose(envelope* e, errc unanswered, const char* why) noexcept {
    if (auto* sink = e->take_reply()) {
        sink->set_error(error{unanswered, why});
        sink->release();
    }
    e->ops->destroy(e);
}

void fail(envelope* e, error why) noexcept {
    if (auto* sink = e->take_reply()) {
        sink->set_error(std::move(why));
        sink->release();
    }
    e->ops->destroy(e);
}

}  // namespace troupe::detail
