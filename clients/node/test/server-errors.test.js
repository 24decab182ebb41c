'use strict';

// Every error code the test server can send, as typed errors on the client,
// plus raw frames the client would never send (bad header bytes, v1 frames).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const ipc = require('..');
const { encodeFrame, MessageType, Format } = require('../lib/protocol');
const { startServer } = require('../test-support/server');
const { rawConnect } = require('../test-support/raw');

/**
 * An assert.rejects validator: the error is an instance of `cls`, carries the
 * code, a correlation id and a non-empty message.
 * @param {Function} cls
 * @param {string} code
 */
function typed(cls, code) {
  return (err) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${err && err.name}: ${err && err.message}`);
    assert.ok(err instanceof ipc.IpcError);
    assert.equal(err.code, code);
    assert.equal(typeof err.message, 'string');
    assert.ok(err.message.length > 0, 'empty error message');
    assert.equal(typeof err.correlationId, 'string');
    return true;
  };
}

/** @param {unknown} body */
function json(body) {
  return Buffer.from(JSON.stringify(body));
}

describe('server error codes', { timeout: 60000 }, () => {
  /** @type {import('../test-support/server').TestServer} */
  let server;
  /** @type {ipc.Client} */
  let client;
  /** @type {ipc.IpcError[]} */
  const serverErrors = [];

  before(async () => {
    server = await startServer();
    client = await ipc.Client.connect({ path: server.path, timeout: 10000 });
    client.on('serverError', (err) => serverErrors.push(err));
  });

  after(async () => {
    await client.close();
    const result = await server.stop();
    assert.equal(result.code, 0, server.describeExit(result));
  });

  it('ACTOR_NOT_FOUND: a target that is not exposed', async () => {
    await assert.rejects(
      client.request('no-such-actor', 'Echo', { text: 'x' }),
      typed(ipc.ActorNotFoundError, 'ACTOR_NOT_FOUND'),
    );
  });

  it('UNKNOWN_MESSAGE_TYPE: a target that does not handle the type, and a type nobody registered', async () => {
    await assert.rejects(client.request('echo', 'Sleep', { ms: 1 }), typed(ipc.UnknownMessageTypeError, 'UNKNOWN_MESSAGE_TYPE'));
    await assert.rejects(client.request('echo', 'NoSuchType', {}), typed(ipc.UnknownMessageTypeError, 'UNKNOWN_MESSAGE_TYPE'));
  });

  for (const format of ['json', 'msgpack']) {
    it(`SERIALIZATION_ERROR: a payload that does not fit the message type (${format})`, async () => {
      const c = await ipc.Client.connect({ path: server.path, format });
      try {
        await assert.rejects(
          c.request('my-service', 'SetValue', { key: 'k', value: 'not an int' }),
          typed(ipc.SerializationError, 'SERIALIZATION_ERROR'),
        );
        await assert.rejects(c.request('echo', 'Echo', { text: 5 }), typed(ipc.SerializationError, 'SERIALIZATION_ERROR'));
        await assert.rejects(c.request('my-service', 'GetValue', null), typed(ipc.SerializationError, 'SERIALIZATION_ERROR'));
        assert.deepEqual(await c.request('echo', 'Echo', { text: 'still open' }), { text: 'still open' });
      } finally {
        await c.close();
      }
    });
  }

  it('TARGET_BUSY: Hold 300 then three more at once', async () => {
    const results = await Promise.allSettled([
      client.request('busy', 'Hold', { ms: 300 }),
      client.request('busy', 'Hold', { ms: 1 }),
      client.request('busy', 'Hold', { ms: 1 }),
      client.request('busy', 'Hold', { ms: 1 }),
    ]);
    assert.deepEqual(results[0], { status: 'fulfilled', value: 300 });
    const busy = results.filter((r) => r.status === 'rejected');
    assert.ok(busy.length >= 1, `no TARGET_BUSY in ${JSON.stringify(results)}`);
    for (const r of busy) typed(ipc.TargetBusyError, 'TARGET_BUSY')(/** @type {PromiseRejectedResult} */ (r).reason);
    for (const r of results.slice(1)) {
      if (r.status === 'fulfilled') assert.equal(r.value, 1);
    }
  });

  it('TIMEOUT from the server: Sleep longer than response_timeout_ms', async () => {
    const started = Date.now();
    await assert.rejects(
      client.request('slow', 'Sleep', { ms: 3000 }, { timeout: 10000, responseTimeoutMs: 100 }),
      (err) => {
        typed(ipc.TimeoutError, 'TIMEOUT')(err);
        assert.doesNotMatch(err.message, /client-side/, 'the client timed out, not the server');
        return true;
      },
    );
    assert.ok(Date.now() - started < 2500, 'the server timeout came too late');
    assert.deepEqual(await client.request('echo', 'Echo', { text: 'after timeout' }), { text: 'after timeout' });
  });

  it('TIMEOUT on the client: its own timer, and the late reply is dropped', async () => {
    await assert.rejects(
      client.request('slow', 'Sleep', { ms: 400 }, { timeout: 50, responseTimeoutMs: 5000 }),
      (err) => {
        typed(ipc.TimeoutError, 'TIMEOUT')(err);
        assert.match(err.message, /client-side/);
        assert.match(err.message, /50 ms/);
        return true;
      },
    );
    // This sleep ends after the late reply of the first one, which must have been ignored.
    assert.equal(await client.request('slow', 'Sleep', { ms: 450 }), 450);
    assert.deepEqual(serverErrors, []);
    assert.equal(client.pendingCount, 0);
  });

  it('HANDLER_FAILED: Crash, then Generation shows the restart', async () => {
    const before = await client.request('flaky', 'Generation', {});
    assert.equal(typeof before, 'number');
    await assert.rejects(client.request('flaky', 'Crash', {}), typed(ipc.HandlerFailedError, 'HANDLER_FAILED'));
    // The HANDLER_FAILED answer can come before the supervisor has put the new actor
    // under the name; in that short window the name answers ACTOR_NOT_FOUND ("dead").
    // Ask again (each try is a full round trip; bounded) until the restarted actor answers.
    let after;
    const deadline = Date.now() + 2000;
    for (;;) {
      try {
        after = await client.request('flaky', 'Generation', {});
        break;
      } catch (err) {
        if (!(err instanceof ipc.ActorNotFoundError) || Date.now() > deadline) throw err;
      }
    }
    assert.equal(after, before + 1);
  });

  it('SERIALIZATION_ERROR: frame bytes that are not JSON/MessagePack (correlation id "unknown")', async () => {
    const raw = await rawConnect(server.path);
    try {
      raw.send(encodeFrame(MessageType.REQUEST, Format.JSON, Buffer.from('{"correlation_id": "r1", oops')));
      let frame = await raw.nextFrame();
      assert.equal(frame.type, MessageType.ERROR);
      assert.equal(frame.body.correlation_id, 'unknown');
      assert.equal(frame.body.success, false);
      assert.equal(frame.body.error_code, 'SERIALIZATION_ERROR');

      raw.send(encodeFrame(MessageType.REQUEST, Format.MSGPACK, Buffer.from([0xc1])));
      frame = await raw.nextFrame();
      assert.equal(frame.type, MessageType.ERROR);
      assert.equal(frame.format, Format.MSGPACK);
      assert.equal(frame.body.error_code, 'SERIALIZATION_ERROR');

      // The frame boundary was known: the connection is still open.
      raw.send(encodeFrame(MessageType.HEARTBEAT, Format.JSON, Buffer.alloc(0)));
      frame = await raw.nextFrame();
      assert.equal(frame.type, MessageType.HEARTBEAT);
      assert.equal(frame.payload.length, 0);
    } finally {
      await raw.close();
    }
  });

  it('PROTOCOL_ERROR: bad message type byte, bad format byte, envelope missing a field', async () => {
    const raw = await rawConnect(server.path);
    try {
      raw.send(encodeFrame(0x7f, Format.JSON, json({ correlation_id: 'bad-type' })));
      let frame = await raw.nextFrame();
      assert.equal(frame.type, MessageType.ERROR);
      assert.equal(frame.body.error_code, 'PROTOCOL_ERROR');
      assert.equal(typeof frame.body.error, 'string');

      const badFormat = encodeFrame(MessageType.REQUEST, Format.JSON, json({ correlation_id: 'bad-format' }));
      badFormat[6] = 0x09;
      raw.send(badFormat);
      frame = await raw.nextFrame();
      assert.equal(frame.type, MessageType.ERROR);
      assert.equal(frame.body.error_code, 'PROTOCOL_ERROR');

      raw.send(encodeFrame(MessageType.REQUEST, Format.JSON, json({ correlation_id: 'no-target', message_type: 'Echo' })));
      frame = await raw.nextFrame();
      assert.equal(frame.type, MessageType.ERROR);
      assert.equal(frame.body.correlation_id, 'no-target');
      assert.equal(frame.body.error_code, 'PROTOCOL_ERROR');

      raw.send(encodeFrame(MessageType.REQUEST, Format.JSON, json({ correlation_id: 'wrong-type', target: 5, message_type: 'Echo' })));
      frame = await raw.nextFrame();
      assert.equal(frame.body.correlation_id, 'wrong-type');
      assert.equal(frame.body.error_code, 'PROTOCOL_ERROR');

      // The client turns such a frame into the typed error.
      const err = ipc.errorFromCode(frame.body.error_code, frame.body.error, frame.body.correlation_id);
      assert.ok(err instanceof ipc.ProtocolError);

      raw.send(encodeFrame(MessageType.HEARTBEAT, Format.JSON, Buffer.alloc(0)));
      assert.equal((await raw.nextFrame()).type, MessageType.HEARTBEAT);
    } finally {
      await raw.close();
    }
  });

  it('UNSUPPORTED_PROTOCOL_VERSION: version byte 3, then the server closes', async () => {
    const raw = await rawConnect(server.path);
    try {
      const frame = Buffer.from([0, 0, 0, 2, 0x03, MessageType.REQUEST, Format.JSON, 0x7b, 0x7d]);
      raw.send(frame);
      const answer = await raw.nextFrame();
      assert.equal(answer.type, MessageType.ERROR);
      assert.equal(answer.body.error_code, 'UNSUPPORTED_PROTOCOL_VERSION');
      assert.ok(ipc.errorFromCode(answer.body.error_code, answer.body.error) instanceof ipc.UnsupportedProtocolVersionError);
      await raw.waitClosed();
    } finally {
      await raw.close();
    }
  });

  it('v1 frames are answered with v1 frames', async () => {
    const raw = await rawConnect(server.path);
    try {
      raw.send(encodeFrame(MessageType.HEARTBEAT, Format.JSON, Buffer.alloc(0), 1));
      let frame = await raw.nextFrame();
      assert.equal(frame.version, 1);
      assert.equal(frame.type, MessageType.HEARTBEAT);

      const request = { correlation_id: 'v1', target: 'echo', message_type: 'Echo', payload: { text: 'old' }, expects_reply: true };
      raw.send(encodeFrame(MessageType.REQUEST, Format.JSON, json(request), 1));
      frame = await raw.nextFrame();
      assert.equal(frame.version, 1);
      assert.equal(frame.type, MessageType.RESPONSE);
      assert.deepEqual(frame.body.payload, { text: 'old' });
      assert.equal(frame.body.correlation_id, 'v1');
      assert.equal(frame.body.success, true);
    } finally {
      await raw.close();
    }
  });

  it('errors answer the right call when many are in flight', async () => {
    const calls = [];
    for (let i = 0; i < 20; i++) {
      calls.push(i % 2 === 0
        ? client.request('echo', 'Echo', { text: `ok-${i}` })
        : client.request(`missing-${i}`, 'Echo', { text: 'x' }));
    }
    const results = await Promise.allSettled(calls);
    const ids = new Set();
    results.forEach((r, i) => {
      if (i % 2 === 0) {
        assert.deepEqual(r, { status: 'fulfilled', value: { text: `ok-${i}` } });
      } else {
        assert.equal(r.status, 'rejected');
        typed(ipc.ActorNotFoundError, 'ACTOR_NOT_FOUND')(r.reason);
        ids.add(r.reason.correlationId);
      }
    });
    assert.equal(ids.size, 10, 'correlation ids repeat');
  });
});
