'use strict';

/**
 * Wire framing of the acton-reactive IPC protocol v2.
 *
 * A v2 frame is `[u32 big-endian payload length][version 0x02][message type][format]`
 * followed by the payload; the 7-byte header is not counted in the length.
 * A v1 frame has no format byte (6-byte header) and always carries JSON.
 * @module troupe-ipc/protocol
 */

const msgpack = require('./msgpack');
const { ProtocolError, SerializationError } = require('./errors');

/** Protocol version this client speaks. */
const PROTOCOL_VERSION = 2;

/** Header sizes by version. */
const HEADER_SIZE = 7;
const HEADER_SIZE_V1 = 6;

/** Hard limit on a frame's payload length (16 MiB). */
const MAX_FRAME_SIZE = 16 * 1024 * 1024;

/** Message type byte. */
const MessageType = Object.freeze({
  REQUEST: 0x01,
  RESPONSE: 0x02,
  ERROR: 0x03,
  HEARTBEAT: 0x04,
  PUSH: 0x05,
  SUBSCRIBE: 0x06,
  UNSUBSCRIBE: 0x07,
  DISCOVER: 0x08,
  STREAM: 0x09,
});

/** Format byte. */
const Format = Object.freeze({
  JSON: 0x01,
  MSGPACK: 0x02,
});

/**
 * Maps a format name to its byte.
 * @param {'json' | 'msgpack'} name
 * @returns {number}
 */
function formatFromName(name) {
  if (name === 'json') return Format.JSON;
  if (name === 'msgpack') return Format.MSGPACK;
  throw new TypeError(`format must be 'json' or 'msgpack', got ${JSON.stringify(name)}`);
}

/**
 * Builds one frame.
 * @param {number} messageType one of {@link MessageType}
 * @param {number} format one of {@link Format} (must be JSON for version 1)
 * @param {Uint8Array} payload encoded payload (may be empty)
 * @param {number} [version=2] 2, or 1 for the legacy 6-byte header
 * @returns {Buffer}
 * @throws {ProtocolError} when the payload is over {@link MAX_FRAME_SIZE}
 */
function encodeFrame(messageType, format, payload, version = PROTOCOL_VERSION) {
  if (payload.length > MAX_FRAME_SIZE) {
    throw new ProtocolError(
      `frame payload of ${payload.length} bytes is over the ${MAX_FRAME_SIZE}-byte (16 MiB) limit`,
    );
  }
  if (version !== 1 && version !== 2) throw new TypeError(`version must be 1 or 2, got ${version}`);
  if (version === 1 && format !== Format.JSON) throw new TypeError('version 1 frames can only carry JSON');
  const headerSize = version === 1 ? HEADER_SIZE_V1 : HEADER_SIZE;
  const frame = Buffer.allocUnsafe(headerSize + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame[4] = version;
  frame[5] = messageType;
  if (version === 2) frame[6] = format;
  frame.set(payload, headerSize);
  return frame;
}

/**
 * @typedef {object} Frame
 * @property {number} version 1 or 2
 * @property {number} type message type byte
 * @property {number} format format byte (JSON for version 1)
 * @property {Buffer} payload the payload bytes
 */

/**
 * Splits a byte stream into frames. Feed it chunks as they arrive; it copes with
 * frames split across chunks and with several frames in one chunk.
 * After it throws, the stream position is lost: drop the connection.
 */
class FrameDecoder {
  /**
   * @param {object} [options]
   * @param {number} [options.maxFrameSize] largest accepted payload (default and ceiling: 16 MiB)
   */
  constructor(options = {}) {
    const max = options.maxFrameSize === undefined ? MAX_FRAME_SIZE : options.maxFrameSize;
    if (!Number.isInteger(max) || max < 0 || max > MAX_FRAME_SIZE) {
      throw new RangeError(`maxFrameSize must be an integer from 0 to ${MAX_FRAME_SIZE}, got ${max}`);
    }
    this.maxFrameSize = max;
    this.header = Buffer.alloc(HEADER_SIZE);
    this.headerFill = 0;
    /** @type {Frame | null} frame whose payload is being filled */
    this.current = null;
    this.payloadFill = 0;
  }

  /** Bytes received that do not yet form a complete frame. */
  get bufferedBytes() {
    return this.current ? HEADER_SIZE + this.payloadFill : this.headerFill;
  }

  /**
   * Consumes a chunk and returns the frames it completed, in order.
   * @param {Uint8Array} chunk
   * @returns {Frame[]}
   * @throws {ProtocolError} on an unknown version or format byte, or a frame over the limit
   */
  push(chunk) {
    /** @type {Frame[]} */
    const frames = [];
    let offset = 0;
    while (offset < chunk.length || this.readyToEmitEmpty()) {
      if (this.current === null) {
        offset = this.fillHeader(chunk, offset);
        if (this.current === null) break; // header still incomplete
      }
      const frame = this.current;
      const take = Math.min(frame.payload.length - this.payloadFill, chunk.length - offset);
      frame.payload.set(chunk.subarray(offset, offset + take), this.payloadFill);
      this.payloadFill += take;
      offset += take;
      if (this.payloadFill === frame.payload.length) {
        frames.push(frame);
        this.current = null;
        this.payloadFill = 0;
      }
    }
    return frames;
  }

  /** @returns {boolean} whether a complete header for an empty frame is waiting */
  readyToEmitEmpty() {
    return this.current !== null && this.current.payload.length === 0;
  }

  /**
   * Copies header bytes from the chunk; once the header is complete, validates it
   * and starts a frame.
   * @param {Uint8Array} chunk
   * @param {number} offset
   * @returns {number} new offset
   */
  fillHeader(chunk, offset) {
    // The version byte (offset 4) tells the header size.
    let wanted = this.headerFill < 5 ? 5 : headerSizeFor(this.header[4]);
    while (this.headerFill < wanted && offset < chunk.length) {
      this.header[this.headerFill++] = chunk[offset++];
      if (this.headerFill === 5) {
        const version = this.header[4];
        if (version !== 1 && version !== 2) {
          throw new ProtocolError(`unsupported protocol version ${version} in frame header (expected 1 or 2)`);
        }
        wanted = headerSizeFor(version);
      }
    }
    if (this.headerFill < wanted) return offset;

    const length = this.header.readUInt32BE(0);
    const version = this.header[4];
    const type = this.header[5];
    const format = version === 2 ? this.header[6] : Format.JSON;
    if (length > this.maxFrameSize) {
      throw new ProtocolError(`frame of ${length} bytes is over the ${this.maxFrameSize}-byte limit`);
    }
    if (format !== Format.JSON && format !== Format.MSGPACK) {
      throw new ProtocolError(`unknown format byte 0x${format.toString(16).padStart(2, '0')} in frame header (expected 0x01 JSON or 0x02 MessagePack)`);
    }
    this.current = { version, type, format, payload: Buffer.allocUnsafe(length) };
    this.payloadFill = 0;
    this.headerFill = 0;
    return offset;
  }
}

/** @param {number} version @returns {number} */
function headerSizeFor(version) {
  return version === 1 ? HEADER_SIZE_V1 : HEADER_SIZE;
}

/**
 * Serialises a payload in the given format.
 * @param {number} format {@link Format} byte
 * @param {unknown} value
 * @returns {Buffer}
 * @throws {SerializationError} when the value cannot be represented
 */
function encodePayload(format, value) {
  if (format === Format.MSGPACK) return msgpack.encode(value);
  if (format !== Format.JSON) throw new TypeError(`unknown format byte ${format}`);
  let text;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const hint = /BigInt/.test(message) ? ' (BigInt values need the msgpack format)' : '';
    throw new SerializationError(`cannot encode the payload as JSON: ${message}${hint}`, { cause: err });
  }
  if (text === undefined) {
    throw new SerializationError(`cannot encode a ${typeof value} as JSON`);
  }
  return Buffer.from(text, 'utf8');
}

/**
 * Parses a payload. An empty payload decodes to undefined (heartbeats carry none).
 * @param {number} format {@link Format} byte
 * @param {Buffer} payload
 * @returns {unknown}
 * @throws {SerializationError} when the bytes are not valid in that format
 */
function decodePayload(format, payload) {
  if (payload.length === 0) return undefined;
  if (format === Format.MSGPACK) return msgpack.decode(payload);
  if (format !== Format.JSON) throw new TypeError(`unknown format byte ${format}`);
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new SerializationError(`invalid JSON payload (${payload.length} bytes): ${message}`, { cause: err });
  }
}

module.exports = {
  PROTOCOL_VERSION,
  HEADER_SIZE,
  HEADER_SIZE_V1,
  MAX_FRAME_SIZE,
  MessageType,
  Format,
  formatFromName,
  encodeFrame,
  FrameDecoder,
  encodePayload,
  decodePayload,
};
