'use strict';

// Unit tests of lib/protocol.js: frame layout, reassembly across chunks,
// limits and payload encoding.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');

const {
  HEADER_SIZE, MAX_FRAME_SIZE, MessageType, Format, formatFromName,
  encodeFrame, FrameDecoder, encodePayload, decodePayload,
} = require('../lib/protocol');
const { ProtocolError, SerializationError } = require('../lib/errors');

describe('encodeFrame', () => {
  it('writes the 7-byte v2 header: length, version, type, format', () => {
    const frame = encodeFrame(MessageType.REQUEST, Format.MSGPACK, Buffer.from('abc'));
    assert.equal(HEADER_SIZE, 7);
    assert.deepEqual([...frame], [0, 0, 0, 3, 0x02, 0x01, 0x02, 0x61, 0x62, 0x63]);
  });

  it('a heartbeat has an empty payload', () => {
    assert.deepEqual([...encodeFrame(MessageType.HEARTBEAT, Format.JSON, Buffer.alloc(0))], [0, 0, 0, 0, 2, 4, 1]);
  });

  it('the length is big-endian', () => {
    const frame = encodeFrame(MessageType.RESPONSE, Format.JSON, Buffer.alloc(0x010203));
    assert.deepEqual([...frame.subarray(0, 4)], [0x00, 0x01, 0x02, 0x03]);
  });

  it('writes the 6-byte v1 header, JSON only', () => {
    assert.deepEqual([...encodeFrame(MessageType.REQUEST, Format.JSON, Buffer.from('{}'), 1)], [0, 0, 0, 2, 1, 1, 0x7b, 0x7d]);
    assert.throws(() => encodeFrame(MessageType.REQUEST, Format.MSGPACK, Buffer.alloc(0), 1), /only carry JSON/);
  });

  it('refuses a payload over 16 MiB', () => {
    assert.doesNotThrow(() => encodeFrame(MessageType.REQUEST, Format.JSON, Buffer.alloc(MAX_FRAME_SIZE)));
    assert.throws(
      () => encodeFrame(MessageType.REQUEST, Format.JSON, Buffer.alloc(MAX_FRAME_SIZE + 1)),
      (err) => err instanceof ProtocolError && /16777217 bytes is over the 16777216-byte \(16 MiB\) limit/.test(err.message),
    );
  });
});

describe('FrameDecoder', () => {
  const frames = [
    encodeFrame(MessageType.RESPONSE, Format.JSON, Buffer.from('{"a":1}')),
    encodeFrame(MessageType.HEARTBEAT, Format.JSON, Buffer.alloc(0)),
    encodeFrame(MessageType.HEARTBEAT, Format.MSGPACK, Buffer.alloc(0)),
    encodeFrame(MessageType.PUSH, Format.MSGPACK, Buffer.alloc(70000, 0xab)),
    encodeFrame(MessageType.STREAM, Format.JSON, Buffer.from('[]')),
  ];
  const stream = Buffer.concat(frames);
  const expected = [
    { version: 2, type: MessageType.RESPONSE, format: Format.JSON, payload: Buffer.from('{"a":1}') },
    { version: 2, type: MessageType.HEARTBEAT, format: Format.JSON, payload: Buffer.alloc(0) },
    { version: 2, type: MessageType.HEARTBEAT, format: Format.MSGPACK, payload: Buffer.alloc(0) },
    { version: 2, type: MessageType.PUSH, format: Format.MSGPACK, payload: Buffer.alloc(70000, 0xab) },
    { version: 2, type: MessageType.STREAM, format: Format.JSON, payload: Buffer.from('[]') },
  ];

  it('several frames in one chunk', () => {
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(stream), expected);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('one byte at a time', () => {
    const decoder = new FrameDecoder();
    const out = [];
    for (let i = 0; i < stream.length; i++) out.push(...decoder.push(stream.subarray(i, i + 1)));
    assert.deepEqual(out, expected);
  });

  it('every split point of the stream into two chunks', () => {
    const small = Buffer.concat([frames[0], frames[1], frames[4]]);
    for (let cut = 0; cut <= small.length; cut++) {
      const decoder = new FrameDecoder();
      const out = [...decoder.push(small.subarray(0, cut)), ...decoder.push(small.subarray(cut))];
      assert.deepEqual(out, [expected[0], expected[1], expected[4]], `cut at ${cut}`);
    }
  });

  it('odd chunk sizes across a large frame', () => {
    const decoder = new FrameDecoder();
    const out = [];
    for (let i = 0; i < stream.length; i += 4099) out.push(...decoder.push(stream.subarray(i, i + 4099)));
    assert.deepEqual(out, expected);
  });

  it('reports the bytes of an incomplete frame', () => {
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(frames[0].subarray(0, 3)), []);
    assert.equal(decoder.bufferedBytes, 3);
    assert.deepEqual(decoder.push(frames[0].subarray(3, 9)), []);
    assert.equal(decoder.bufferedBytes, 9);
  });

  it('reads v1 frames (6-byte header, JSON)', () => {
    const decoder = new FrameDecoder();
    const v1 = encodeFrame(MessageType.RESPONSE, Format.JSON, Buffer.from('{}'), 1);
    assert.deepEqual(decoder.push(Buffer.concat([v1, frames[1]])), [
      { version: 1, type: MessageType.RESPONSE, format: Format.JSON, payload: Buffer.from('{}') },
      expected[1],
    ]);
  });

  it('rejects a frame over 16 MiB from its header alone', () => {
    const header = Buffer.from([0x01, 0x00, 0x00, 0x01, 0x02, 0x02, 0x01]);
    assert.throws(() => new FrameDecoder().push(header), (err) =>
      err instanceof ProtocolError && /frame of 16777217 bytes is over the 16777216-byte limit/.test(err.message));
  });

  it('accepts a frame of exactly 16 MiB', () => {
    const decoder = new FrameDecoder();
    const out = decoder.push(encodeFrame(MessageType.RESPONSE, Format.MSGPACK, Buffer.alloc(MAX_FRAME_SIZE)));
    assert.equal(out.length, 1);
    assert.equal(out[0].payload.length, MAX_FRAME_SIZE);
  });

  it('honours a smaller maxFrameSize, and refuses one above 16 MiB', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 10 });
    assert.equal(decoder.push(encodeFrame(2, 1, Buffer.alloc(10))).length, 1);
    assert.throws(() => decoder.push(encodeFrame(2, 1, Buffer.alloc(11))), /frame of 11 bytes is over the 10-byte limit/);
    assert.throws(() => new FrameDecoder({ maxFrameSize: MAX_FRAME_SIZE + 1 }), RangeError);
  });

  it('rejects an unknown version byte', () => {
    assert.throws(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 0, 0x03])), (err) =>
      err instanceof ProtocolError && /unsupported protocol version 3/.test(err.message));
  });

  it('rejects an unknown format byte', () => {
    assert.throws(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 0, 0x02, 0x02, 0x07])), (err) =>
      err instanceof ProtocolError && /unknown format byte 0x07/.test(err.message));
  });
});

describe('payloads', () => {
  it('formatFromName', () => {
    assert.equal(formatFromName('json'), Format.JSON);
    assert.equal(formatFromName('msgpack'), Format.MSGPACK);
    assert.throws(() => formatFromName(/** @type {any} */ ('JSON')), /'json' or 'msgpack', got "JSON"/);
  });

  it('JSON round trip', () => {
    const body = { correlation_id: 'c1', payload: { text: 'é' } };
    const bytes = encodePayload(Format.JSON, body);
    assert.equal(bytes.toString('utf8'), JSON.stringify(body));
    assert.deepEqual(decodePayload(Format.JSON, bytes), body);
  });

  it('MessagePack round trip', () => {
    const body = { correlation_id: 'c1', payload: [1, 2n ** 63n, Buffer.from([1])] };
    assert.deepEqual(decodePayload(Format.MSGPACK, encodePayload(Format.MSGPACK, body)), body);
  });

  it('an empty payload decodes to undefined (heartbeat)', () => {
    assert.equal(decodePayload(Format.JSON, Buffer.alloc(0)), undefined);
    assert.equal(decodePayload(Format.MSGPACK, Buffer.alloc(0)), undefined);
  });

  it('BigInt cannot go as JSON, and says to use msgpack', () => {
    assert.throws(() => encodePayload(Format.JSON, { value: 1n }), (err) =>
      err instanceof SerializationError && /BigInt values need the msgpack format/.test(err.message));
  });

  it('invalid JSON is a SerializationError', () => {
    assert.throws(() => decodePayload(Format.JSON, Buffer.from('{"a":')), (err) =>
      err instanceof SerializationError && /invalid JSON payload \(5 bytes\)/.test(err.message));
  });

  it('invalid MessagePack is a SerializationError', () => {
    assert.throws(() => decodePayload(Format.MSGPACK, Buffer.from([0x92, 0x01])), SerializationError);
  });
});
