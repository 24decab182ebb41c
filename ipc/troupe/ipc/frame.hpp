#pragma once
// Frames: the byte layer of the IPC protocol (acton-reactive's IPC protocol v2).
//
//   v2: [u32 big-endian payload length][version 0x02][message type][format] payload
//   v1: [u32 big-endian payload length][version 0x01][message type]         payload (JSON)
//
// frame_decoder cuts a byte stream into frames. It never trusts a length: a frame longer
// than the limit is reported and its payload skipped without being buffered, so the
// connection survives; only a version it cannot read (the header's size is then unknown)
// is fatal.
//
//   ipc::frame_decoder d{1 << 20};
//   d.feed(bytes_from_the_socket);
//   while (auto ev = d.next()) {
//       if (ev->got) handle(*ev->got); else report(ev->problem, ev->fatal);
//   }

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <troupe/codec/format.hpp>
#include <troupe/ipc/error_code.hpp>

namespace troupe::ipc {

enum class frame_type : std::uint8_t {
    request = 0x01,
    response = 0x02,
    error = 0x03,
    heartbeat = 0x04,
    push = 0x05,
    subscribe = 0x06,
    unsubscribe = 0x07,
    discover = 0x08,
    stream = 0x09,
};

/// "request", "heartbeat"...; "0x2a" for a byte that is no frame type.
std::string to_string(frame_type t);

inline constexpr std::uint8_t protocol_version = 2;
inline constexpr std::uint8_t min_protocol_version = 1;
inline constexpr std::size_t header_size = 7;     // v2
inline constexpr std::size_t header_size_v1 = 6;  // v1: no format byte
/// No frame is ever longer than this, whatever the configuration says.
inline constexpr std::size_t hard_max_frame = 16 * 1024 * 1024;
/// The default limit on a frame's payload.
inline constexpr std::size_t default_max_frame = 1024 * 1024;

/// The wire byte of a format: 0x01 JSON, 0x02 MessagePack.
constexpr std::uint8_t format_byte(codec::format f) noexcept {
    return f == codec::format::json ? 0x01 : 0x02;
}

struct frame {
    std::uint8_t version = protocol_version;
    frame_type type = frame_type::request;
    codec::format format = codec::format::json;
    std::string payload;
};

/// Appends a frame's header for a payload of `length` bytes. A v1 header has no format
/// byte (its payload is JSON).
void append_header(std::string& out, frame_type type, codec::format f, std::size_t length,
                   std::uint8_t version = protocol_version);
/// Appends a whole frame.
void append_frame(std::string& out, frame_type type, codec::format f, std::string_view payload,
                  std::uint8_t version = protocol_version);
/// Starts a frame whose payload the caller appends next; finish_frame writes its length.
std::size_t begin_frame(std::string& out, frame_type type, codec::format f,
                        std::uint8_t version = protocol_version);
void finish_frame(std::string& out, std::size_t start);

class frame_decoder {
public:
    /// `max_frame` is clamped to hard_max_frame.
    explicit frame_decoder(std::size_t max_frame = default_max_frame) noexcept;

    struct event {
        std::optional<ipc::frame> got;  // a whole frame, or
        failure problem;                // what was wrong with the bytes
        bool fatal = false;             // the frame boundary is lost: close the connection
        std::uint8_t version = protocol_version;  // the version of the offending frame
        codec::format format = codec::format::json;
    };

    /// Appends bytes read from the stream.
    void feed(std::string_view bytes);
    /// The next frame or problem, or nothing until more bytes come. After a fatal event
    /// it gives nothing more.
    std::optional<event> next();

    /// True while part of a frame has arrived but not all of it (for a read time-out).
    bool partial() const noexcept { return buffer_.size() > consumed_ || skipping_ > 0; }
    /// Bytes buffered and not yet given out.
    std::size_t buffered() const noexcept { return buffer_.size() - consumed_; }

private:
    std::optional<event> skip_then(event e, std::size_t length);

    std::string buffer_;
    std::size_t consumed_ = 0;
    std::size_t skipping_ = 0;  // payload bytes of a refused frame still to drop
    std::size_t max_frame_;
    bool broken_ = false;
};

}  // namespace troupe::ipc
