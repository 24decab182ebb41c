#include <algorithm>
#include <cstdio>

#include <troupe/ipc/frame.hpp>

namespace troupe::ipc {

namespace {

constexpr const char* type_names[] = {"request",   "response",    "error",    "heartbeat", "push",
                                      "subscribe", "unsubscribe", "discover", "stream"};

std::string hex(std::uint8_t b) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%02x", b);
    return text;
}

void put_length(char* at, std::size_t length) {
    const auto n = static_cast<std::uint32_t>(length);
    at[0] = static_cast<char>(n >> 24);
    at[1] = static_cast<char>(n >> 16);
    at[2] = static_cast<char>(n >> 8);
    at[3] = static_cast<char>(n);
}

std::uint32_t get_length(const char* at) {
    const auto* b = reinterpret_cast<const unsigned char*>(at);
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
           std::uint32_t{b[3]};
}

}  // namespace

std::string to_string(frame_type t) {
    const auto b = static_cast<std::uint8_t>(t);
    if (b >= 1 && b <= 9) return type_names[b - 1];
    return hex(b);
}

void append_header(std::string& out, frame_type type, codec::format f, std::size_t length,
                   std::uint8_t version) {
    char h[header_size];
    put_length(h, length);
    h[4] = static_cast<char>(version);
    h[5] = static_cast<char>(type);
    h[6] = static_cast<char>(format_byte(f));
    out.append(h, version == 1 ? header_size_v1 : header_size);
}

void append_frame(std::string& out, frame_type type, codec::format f, std::string_view payload,
                  std::uint8_t version) {
    append_header(out, type, f, payload.size(), version);
    out.append(payload);
}

std::size_t begin_frame(std::string& out, frame_type type, codec::format f, std::uint8_t version) {
    const std::size_t start = out.size();
    append_header(out, type, f, 0, version);
    return start;
}

void finish_frame(std::string& out, std::size_t start) {
    const std::size_t header = out[start + 4] == 1 ? header_size_v1 : header_size;
    put_length(out.data() + start, out.size() - start - header);
}

frame_decoder::frame_decoder(std::size_t max_frame) noexcept
    : max_frame_(std::min(max_frame, hard_max_frame)) {}

void frame_decoder::feed(std::string_view bytes) {
    if (broken_) return;
    if (skipping_ > 0) {
        const std::size_t drop = std::min(skipping_, bytes.size());
        skipping_ -= drop;
        bytes.remove_prefix(drop);
    }
    if (consumed_ > 0 && consumed_ * 2 >= buffer_.size()) {
        buffer_.erase(0, consumed_);
        consumed_ = 0;
    }
    buffer_.append(bytes);
}

std::optional<frame_decoder::event> frame_decoder::skip_then(event e, std::size_t length) {
    const std::size_t here = std::min(length, buffered());
    consumed_ += here;
    skipping_ = length - here;
    return e;
}

std::optional<frame_decoder::event> frame_decoder::next() {
    if (broken_ || skipping_ > 0) return std::nullopt;
    const std::size_t available = buffered();
    if (available < 5) return std::nullopt;
    const char* h = buffer_.data() + consumed_;
    const std::uint8_t version = static_cast<std::uint8_t>(h[4]);
    if (version != 1 && version != 2) {
        broken_ = true;
        event e;
        e.problem = {code::unsupported_protocol_version,
                     "protocol version " + std::to_string(version) +
                         " is not supported (this server speaks 1 and 2); closing the "
                         "connection"};
        e.fatal = true;
        return e;
    }
    const std::size_t hsize = version == 1 ? header_size_v1 : header_size;
    if (available < hsize) return std::nullopt;
    const std::size_t length = get_length(h);
    const auto type_byte = static_cast<std::uint8_t>(h[5]);
    event e;
    e.version = version;
    if (version == 2) {
        const auto fb = static_cast<std::uint8_t>(h[6]);
        if (fb == 0x02) e.format = codec::format::msgpack;
        if (fb != 0x01 && fb != 0x02) {
            e.problem = {code::protocol_error, "unknown format byte " + hex(fb) +
                                                   " (0x01 is JSON, 0x02 MessagePack); the "
                                                   "frame was skipped"};
        }
    }
    const std::uint8_t max_type = version == 1 ? 0x04 : 0x09;
    if (e.problem.message.empty() && (type_byte < 1 || type_byte > max_type)) {
        e.problem = {code::protocol_error, "unknown message type " + hex(type_byte) +
                                               " in a version " + std::to_string(version) +
                                               " frame (known: 0x01.." + hex(max_type) +
                                               "); the frame was skipped"};
    }
    if (length > hard_max_frame) {
        broken_ = true;
        e.problem = {code::protocol_error,
                     "a frame of " + std::to_string(length) + " bytes is over the hard limit of " +
                         std::to_string(hard_max_frame) + " bytes; closing the connection"};
        e.fatal = true;
        return e;
    }
    if (length > max_frame_ && e.problem.message.empty()) {
        e.problem = {code::protocol_error, "a frame of " + std::to_string(length) +
                                               " bytes is over this server's limit of " +
                                               std::to_string(max_frame_) +
                                               " bytes; the frame was skipped"};
    }
    if (!e.problem.message.empty()) {
        consumed_ += hsize;
        return skip_then(std::move(e), length);
    }
    if (available < hsize + length) return std::nullopt;
    frame f;
    f.version = version;
    f.type = static_cast<frame_type>(type_byte);
    f.format = e.format;
    f.payload.assign(h + hsize, length);
    consumed_ += hsize + length;
    e.got = std::move(f);
    return e;
}

}  // namespace troupe::ipc
