'use strict';

/**
 * A small MessagePack encoder/decoder covering what the protocol carries:
 * nil, booleans, integers (64-bit ones as BigInt when outside the safe
 * range), float32/float64, str, bin (Buffer), array and map.
 * Extension types are rejected. Malformed input throws a SerializationError.
 * @module troupe-ipc/msgpack
 */

const { SerializationError } = require('./errors');

/** Nesting deeper than this is refused (protects the call stack). */
const MAX_DEPTH = 1000;

const UINT32_LIMIT = 0x1_0000_0000;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** Growable output buffer. */
class Writer {
  constructor() {
    this.buf = Buffer.allocUnsafe(256);
    this.pos = 0;
  }

  /** @param {number} n bytes about to be written */
  reserve(n) {
    const needed = this.pos + n;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** @param {number} byte */
  u8(byte) {
    this.reserve(1);
    this.buf[this.pos++] = byte;
  }

  /** @param {number} tag @param {number} value */
  tagU8(tag, value) {
    this.reserve(2);
    this.buf[this.pos] = tag;
    this.buf[this.pos + 1] = value;
    this.pos += 2;
  }

  /** @param {number} tag @param {number} value */
  tagU16(tag, value) {
    this.reserve(3);
    this.buf[this.pos] = tag;
    this.buf.writeUInt16BE(value, this.pos + 1);
    this.pos += 3;
  }

  /** @param {number} tag @param {number} value */
  tagU32(tag, value) {
    this.reserve(5);
    this.buf[this.pos] = tag;
    this.buf.writeUInt32BE(value, this.pos + 1);
    this.pos += 5;
  }

  /** @param {number} tag @param {bigint} value */
  tagU64(tag, value) {
    this.reserve(9);
    this.buf[this.pos] = tag;
    this.buf.writeBigUInt64BE(value, this.pos + 1);
    this.pos += 9;
  }

  /** @param {number} tag @param {bigint} value */
  tagI64(tag, value) {
    this.reserve(9);
    this.buf[this.pos] = tag;
    this.buf.writeBigInt64BE(value, this.pos + 1);
    this.pos += 9;
  }

  /** @param {number} value */
  float64(value) {
    this.reserve(9);
    this.buf[this.pos] = 0xcb;
    this.buf.writeDoubleBE(value, this.pos + 1);
    this.pos += 9;
  }

  /** @param {Uint8Array} bytes */
  bytes(bytes) {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** @param {string} text @param {number} byteLength */
  utf8(text, byteLength) {
    this.reserve(byteLength);
    this.pos += this.buf.write(text, this.pos, byteLength, 'utf8');
  }

  /** @returns {Buffer} the bytes written so far */
  result() {
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * Writes a length-prefixed header for str/bin/array/map.
 * @param {Writer} w
 * @param {number} length
 * @param {number | null} fixBase fix-format base byte, or null when the family has none
 * @param {number} fixMax largest length that fits the fix format
 * @param {number | null} tag8 8-bit length tag, or null when the family has none
 * @param {number} tag16
 * @param {number} tag32
 * @param {string} what for the error message
 */
function writeLength(w, length, fixBase, fixMax, tag8, tag16, tag32, what) {
  if (fixBase !== null && length <= fixMax) w.u8(fixBase | length);
  else if (tag8 !== null && length <= 0xff) w.tagU8(tag8, length);
  else if (length <= 0xffff) w.tagU16(tag16, length);
  else if (length < UINT32_LIMIT) w.tagU32(tag32, length);
  else throw new SerializationError(`cannot encode ${what} of length ${length} as MessagePack: the limit is 2^32-1`);
}

/**
 * @param {Writer} w
 * @param {number} value
 */
function writeNumber(w, value) {
  if (!Number.isSafeInteger(value) || Object.is(value, -0)) {
    w.float64(value);
  } else if (value >= 0) {
    if (value <= 0x7f) w.u8(value);
    else if (value <= 0xff) w.tagU8(0xcc, value);
    else if (value <= 0xffff) w.tagU16(0xcd, value);
    else if (value < UINT32_LIMIT) w.tagU32(0xce, value);
    else w.tagU64(0xcf, BigInt(value));
  } else if (value >= -32) {
    w.u8(value & 0xff);
  } else if (value >= -0x80) {
    w.tagU8(0xd0, value & 0xff);
  } else if (value >= -0x8000) {
    w.tagU16(0xd1, value & 0xffff);
  } else if (value >= -0x8000_0000) {
    w.tagU32(0xd2, value >>> 0);
  } else {
    w.tagI64(0xd3, BigInt(value));
  }
}

/**
 * @param {Writer} w
 * @param {bigint} value
 */
function writeBigInt(w, value) {
  if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
    writeNumber(w, Number(value));
  } else if (value > 0n && value <= UINT64_MAX) {
    w.tagU64(0xcf, value);
  } else if (value < 0n && value >= INT64_MIN) {
    w.tagI64(0xd3, value);
  } else {
    throw new SerializationError(`cannot encode BigInt ${value} as MessagePack: it does not fit in 64 bits`);
  }
}

/**
 * @param {Writer} w
 * @param {string} text
 */
function writeString(w, text) {
  const length = Buffer.byteLength(text, 'utf8');
  writeLength(w, length, 0xa0, 31, 0xd9, 0xda, 0xdb, 'a string');
  w.utf8(text, length);
}

/**
 * @param {Writer} w
 * @param {Uint8Array} bytes
 */
function writeBinary(w, bytes) {
  writeLength(w, bytes.length, null, 0, 0xc4, 0xc5, 0xc6, 'binary data');
  w.bytes(bytes);
}

/**
 * @param {Writer} w
 * @param {unknown} value
 * @param {Set<object>} seen containers on the current path (cycle detection)
 */
function writeValue(w, value, seen) {
  switch (typeof value) {
    case 'undefined':
      w.u8(0xc0);
      return;
    case 'boolean':
      w.u8(value ? 0xc3 : 0xc2);
      return;
    case 'number':
      writeNumber(w, value);
      return;
    case 'bigint':
      writeBigInt(w, value);
      return;
    case 'string':
      writeString(w, value);
      return;
    case 'object':
      writeObject(w, value, seen);
      return;
    default:
      throw new SerializationError(`cannot encode a ${typeof value} as MessagePack`);
  }
}

/**
 * @param {Writer} w
 * @param {object | null} value
 * @param {Set<object>} seen
 */
function writeObject(w, value, seen) {
  if (value === null) {
    w.u8(0xc0);
    return;
  }
  if (value instanceof Uint8Array) {
    writeBinary(w, value);
    return;
  }
  if (value instanceof ArrayBuffer) {
    writeBinary(w, new Uint8Array(value));
    return;
  }
  if (seen.has(value)) throw new SerializationError('cannot encode a circular structure as MessagePack');
  if (seen.size >= MAX_DEPTH) throw new SerializationError(`cannot encode values nested deeper than ${MAX_DEPTH} levels`);
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      writeLength(w, value.length, 0x90, 15, null, 0xdc, 0xdd, 'an array');
      for (const item of value) writeValue(w, item, seen);
    } else if (value instanceof Map) {
      writeLength(w, value.size, 0x80, 15, null, 0xde, 0xdf, 'a map');
      for (const [key, item] of value) {
        writeValue(w, key, seen);
        writeValue(w, item, seen);
      }
    } else if (typeof (/** @type {any} */ (value).toJSON) === 'function') {
      // Same view of the value as JSON.stringify (e.g. a Date becomes its ISO string).
      writeValue(w, /** @type {any} */ (value).toJSON(), seen);
    } else {
      // Like JSON.stringify: own enumerable string keys, undefined members left out.
      const entries = Object.entries(value).filter(([, item]) => item !== undefined);
      writeLength(w, entries.length, 0x80, 15, null, 0xde, 0xdf, 'an object');
      for (const [key, item] of entries) {
        writeString(w, key);
        writeValue(w, item, seen);
      }
    }
  } finally {
    seen.delete(value);
  }
}

/**
 * Encodes a value as MessagePack.
 *
 * Numbers use the smallest integer format when they are safe integers and
 * float64 otherwise; BigInts must fit in 64 bits. Buffers/Uint8Arrays/ArrayBuffers
 * become bin, Maps and plain objects maps (object members that are undefined
 * are left out, like JSON), objects with toJSON() are encoded as its result.
 * @param {unknown} value
 * @returns {Buffer}
 * @throws {SerializationError} for values MessagePack cannot hold (functions, symbols, cycles...)
 */
function encode(value) {
  const w = new Writer();
  writeValue(w, value, new Set());
  return w.result();
}

/** Reads one value at a time from a buffer, with bounds checks. */
class Reader {
  /** @param {Buffer} buf */
  constructor(buf) {
    this.buf = buf;
    this.pos = 0;
  }

  /**
   * Checks that n more bytes are there.
   * @param {number} n
   * @param {string} what for the error message
   */
  need(n, what) {
    const left = this.buf.length - this.pos;
    if (n > left) {
      throw new SerializationError(
        `truncated MessagePack input: ${what} at offset ${this.pos} needs ${n} byte(s) but only ${left} remain`,
      );
    }
  }

  /** @param {string} what @returns {number} */
  u8(what) {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  /** @param {string} what @returns {number} */
  u16(what) {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /** @param {string} what @returns {number} */
  u32(what) {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /**
   * Reads a 64-bit integer: a number when safe, a BigInt otherwise.
   * @param {boolean} signed
   * @returns {number | bigint}
   */
  int64(signed) {
    this.need(8, signed ? 'int 64' : 'uint 64');
    const v = signed ? this.buf.readBigInt64BE(this.pos) : this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  /** @param {string} what @returns {number} */
  i8(what) {
    this.need(1, what);
    return this.buf.readInt8(this.pos++);
  }

  /** @param {string} what @returns {number} */
  i16(what) {
    this.need(2, what);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /** @param {string} what @returns {number} */
  i32(what) {
    this.need(4, what);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** @returns {number} */
  f32() {
    this.need(4, 'float 32');
    const v = this.buf.readFloatBE(this.pos);
    this.pos += 4;
    return v;
  }

  /** @returns {number} */
  f64() {
    this.need(8, 'float 64');
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** @param {number} length @returns {string} */
  str(length) {
    this.need(length, `a string of ${length} byte(s)`);
    const v = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return v;
  }

  /** @param {number} length @returns {Buffer} */
  bin(length) {
    this.need(length, `binary data of ${length} byte(s)`);
    const v = Buffer.from(this.buf.subarray(this.pos, this.pos + length));
    this.pos += length;
    return v;
  }

  /**
   * @param {number} length
   * @param {number} depth
   * @returns {unknown[]}
   */
  array(length, depth) {
    // Every element takes at least one byte: refuse lengths the input cannot hold before allocating.
    this.need(length, `an array of ${length} element(s)`);
    const out = new Array(length);
    for (let i = 0; i < length; i++) out[i] = this.value(depth + 1);
    return out;
  }

  /**
   * @param {number} length
   * @param {number} depth
   * @returns {Record<string, unknown>}
   */
  map(length, depth) {
    this.need(length * 2, `a map of ${length} entr${length === 1 ? 'y' : 'ies'}`);
    /** @type {Record<string, unknown>} */
    const out = {};
    for (let i = 0; i < length; i++) {
      const keyOffset = this.pos;
      const key = mapKey(this.value(depth + 1), keyOffset);
      const item = this.value(depth + 1);
      if (key === '__proto__') {
        Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
      } else {
        out[key] = item;
      }
    }
    return out;
  }

  /**
   * Reads one complete value.
   * @param {number} depth current nesting
   * @returns {unknown}
   */
  value(depth) {
    if (depth > MAX_DEPTH) throw new SerializationError(`MessagePack input nested deeper than ${MAX_DEPTH} levels`);
    const offset = this.pos;
    const tag = this.u8('a value');
    if (tag <= 0x7f) return tag;
    if (tag >= 0xe0) return tag - 0x100;
    if (tag <= 0x8f) return this.map(tag & 0x0f, depth);
    if (tag <= 0x9f) return this.array(tag & 0x0f, depth);
    if (tag <= 0xbf) return this.str(tag & 0x1f);
    switch (tag) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return this.bin(this.u8('a bin 8 length'));
      case 0xc5: return this.bin(this.u16('a bin 16 length'));
      case 0xc6: return this.bin(this.u32('a bin 32 length'));
      case 0xca: return this.f32();
      case 0xcb: return this.f64();
      case 0xcc: return this.u8('uint 8');
      case 0xcd: return this.u16('uint 16');
      case 0xce: return this.u32('uint 32');
      case 0xcf: return this.int64(false);
      case 0xd0: return this.i8('int 8');
      case 0xd1: return this.i16('int 16');
      case 0xd2: return this.i32('int 32');
      case 0xd3: return this.int64(true);
      case 0xd9: return this.str(this.u8('a str 8 length'));
      case 0xda: return this.str(this.u16('a str 16 length'));
      case 0xdb: return this.str(this.u32('a str 32 length'));
      case 0xdc: return this.array(this.u16('an array 16 length'), depth);
      case 0xdd: return this.array(this.u32('an array 32 length'), depth);
      case 0xde: return this.map(this.u16('a map 16 length'), depth);
      case 0xdf: return this.map(this.u32('a map 32 length'), depth);
      case 0xc7: case 0xc8: case 0xc9:
      case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
        throw new SerializationError(
          `MessagePack extension types are not supported (byte 0x${hex(tag)} at offset ${offset})`,
        );
      default: // 0xc1 is never used
        throw new SerializationError(`invalid MessagePack byte 0x${hex(tag)} at offset ${offset}`);
    }
  }
}

/** @param {number} byte @returns {string} */
function hex(byte) {
  return byte.toString(16).padStart(2, '0');
}

/**
 * Turns a decoded map key into an object key.
 * @param {unknown} key
 * @param {number} offset where the key starts, for the error message
 * @returns {string}
 */
function mapKey(key, offset) {
  switch (typeof key) {
    case 'string':
      return key;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(key);
    default:
      if (key === null) return 'null';
      throw new SerializationError(
        `MessagePack map key at offset ${offset} is ${Array.isArray(key) ? 'an array' : Buffer.isBuffer(key) ? 'binary data' : 'a map'}; only scalar keys are supported`,
      );
  }
}

/**
 * Decodes exactly one MessagePack value filling the whole input.
 *
 * Maps become plain objects (scalar keys are converted to strings), bin becomes
 * a Buffer (a copy), 64-bit integers outside Number's safe range become BigInt.
 * @param {Uint8Array} input
 * @returns {unknown}
 * @throws {SerializationError} on truncated input, trailing bytes, ext types or invalid bytes
 */
function decode(input) {
  if (!(input instanceof Uint8Array)) {
    throw new TypeError(`msgpack.decode expects a Buffer or Uint8Array, got ${input === null ? 'null' : typeof input}`);
  }
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length === 0) throw new SerializationError('empty MessagePack input: expected one value');
  const reader = new Reader(buf);
  const value = reader.value(0);
  if (reader.pos !== buf.length) {
    throw new SerializationError(
      `MessagePack input has ${buf.length - reader.pos} unexpected trailing byte(s) after the value (offset ${reader.pos})`,
    );
  }
  return value;
}

module.exports = { encode, decode, MAX_DEPTH };
