'use strict';

// Request/reply, fire-and-forget, streams, pushes, discovery and heartbeats
// against the real test server, in JSON and in MessagePack.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const ipc = require('..');
const { startServer, waitForEvent } = require('../test-support/server');

const REGISTERED_TYPES = [
  'Count', 'Crash', 'Echo', 'Emit', 'Generation', 'GetValue', 'Hold', 'SetValue', 'Sleep', 'Tick',
];
const ACTORS = {
  busy: ['Hold'],
  counter: ['Count'],
  echo: ['Echo'],
  flaky: ['Crash', 'Generation'],
  'my-service': ['GetValue', 'SetValue'],
  publisher: ['Emit'],
  slow: ['Sleep'],
};

describe('client against the test server', { timeout: 60000 }, () => {
  /** @type {import('../test-support/server').TestServer} */
  let server;

  before(async () => {
    server = await startServer();
  });

  after(async () => {
    const result = await server.stop();
    assert.equal(result.code, 0, server.describeExit(result));
  });

  for (const format of /** @type {const} */ (['json', 'msgpack'])) {
    describe(`${format} format`, () => {
      /** @type {ipc.Client} */
      let client;

      before(async () => {
        client = await ipc.Client.connect({ path: server.path, format, timeout: 10000 });
      });

      after(async () => {
        await client.close();
      });

      it('connects with the requested format', () => {
        assert.equal(client.format, format);
        assert.equal(client.path, server.path);
        assert.equal(client.closed, false);
      });

      it('my-service: SetValue replies null, GetValue returns the value', async () => {
        const key = `answer-${format}`;
        assert.equal(await client.request('my-service', 'SetValue', { key, value: 42 }), null);
        assert.equal(await client.request('my-service', 'GetValue', { key }), 42);
        await client.request('my-service', 'SetValue', { key, value: -7 });
        assert.equal(await client.request('my-service', 'GetValue', { key }), -7);
      });

      it('my-service: GetValue of a key never set is null', async () => {
        assert.equal(await client.request('my-service', 'GetValue', { key: `never-set-${format}` }), null);
      });

      it('my-service: 64-bit values round-trip', async () => {
        const key = `big-${format}`;
        const big = format === 'msgpack' ? 2n ** 62n + 1n : Number.MAX_SAFE_INTEGER;
        await client.request('my-service', 'SetValue', { key, value: big });
        assert.equal(await client.request('my-service', 'GetValue', { key }), big);
      });

      it('echo: Echo returns the same text (unicode, empty, 200 KB)', async () => {
        for (const text of ['hello', '', 'héllo wörld ✓ 日本 🎭', 'x'.repeat(200 * 1024)]) {
          const reply = await client.request('echo', 'Echo', { text });
          assert.deepEqual(reply, { text });
        }
      });

      it('slow: Sleep replies with its ms after sleeping', async () => {
        const started = Date.now();
        assert.equal(await client.request('slow', 'Sleep', { ms: 50 }), 50);
        assert.ok(Date.now() - started >= 45, 'the reply came before the sleep was over');
      });

      it('flaky: Generation is 1 on a fresh server', async () => {
        assert.equal(await client.request('flaky', 'Generation', {}), 1);
      });

      it('counter: Count as a plain request returns [1..n]', async () => {
        assert.deepEqual(await client.request('counter', 'Count', { n: 5 }), [1, 2, 3, 4, 5]);
        assert.deepEqual(await client.request('counter', 'Count', { n: 0 }), []);
      });

      it('publisher: Emit replies n', async () => {
        assert.equal(await client.request('publisher', 'Emit', { n: 2 }), 2);
      });

      it('busy: Hold replies ms', async () => {
        assert.equal(await client.request('busy', 'Hold', { ms: 10 }), 10);
      });

      it('fireAndForget resolves once delivered; a later GetValue sees the value', async () => {
        const key = `faf-${format}`;
        const ack = await client.fireAndForget('my-service', 'SetValue', { key, value: 7 });
        assert.equal(ack, undefined);
        assert.equal(await client.request('my-service', 'GetValue', { key }), 7);
      });

      it('fireAndForget to a missing actor rejects with ActorNotFoundError', async () => {
        await assert.rejects(
          client.fireAndForget('nobody-here', 'SetValue', { key: 'k', value: 1 }),
          ipc.ActorNotFoundError,
        );
      });

      it('stream: Count yields 1..n then ends', async () => {
        const items = [];
        for await (const item of client.stream('counter', 'Count', { n: 10 })) items.push(item);
        assert.deepEqual(items, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      });

      it('stream: n = 0 yields nothing, n = 1 one item; toArray collects', async () => {
        assert.deepEqual(await client.stream('counter', 'Count', { n: 0 }).toArray(), []);
        assert.deepEqual(await client.stream('counter', 'Count', { n: 1 }).toArray(), [1]);
      });

      it('stream: 500 items arrive in order', async () => {
        const items = await client.stream('counter', 'Count', { n: 500 }).toArray();
        assert.deepEqual(items, Array.from({ length: 500 }, (_, i) => i + 1));
      });

      it('stream: leaving the loop early keeps the connection usable', async () => {
        const seen = [];
        const stream = client.stream('counter', 'Count', { n: 50 });
        for await (const item of stream) {
          seen.push(item);
          if (item === 3) break;
        }
        assert.deepEqual(seen, [1, 2, 3]);
        assert.equal(stream.finished, true);
        assert.deepEqual(await stream.next(), { value: undefined, done: true });
        assert.equal(await client.request('echo', 'Echo', { text: 'after' }).then((r) => r.text), 'after');
      });

      it('stream: refused before it starts rejects the first next() with the typed error', async () => {
        const stream = client.stream('nobody-here', 'Count', { n: 3 });
        await assert.rejects(stream.next(), ipc.ActorNotFoundError);
      });

      it('subscribe, pushes before the reply, unsubscribe stops them', async () => {
        /** @type {ipc.Push[]} */
        const pushes = [];
        const viaOnPush = [];
        const onPush = (push) => pushes.push(push);
        client.on('push', onPush);
        const removeOnPush = client.onPush((push) => viaOnPush.push(push));
        try {
          assert.deepEqual(await client.subscribe(['Tick']), ['Tick']);
          const before = Date.now();
          assert.equal(await client.request('publisher', 'Emit', { n: 3 }), 3);
          // The server sends the pushes before the reply: they are all here already.
          assert.equal(pushes.length, 3);
          assert.deepEqual(pushes.map((p) => p.payload), [{ seq: 1 }, { seq: 2 }, { seq: 3 }]);
          for (const push of pushes) {
            assert.equal(push.messageType, 'Tick');
            assert.equal(push.sourceActor, 'publisher');
            assert.equal(typeof push.notificationId, 'string');
            assert.ok(push.notificationId.length > 0);
            assert.ok(Number.isInteger(push.timestampMs), `timestampMs ${push.timestampMs} is not an integer`);
            assert.ok(Math.abs(push.timestampMs - before) < 60000, `timestampMs ${push.timestampMs} is not near now (${before})`);
          }
          assert.equal(new Set(pushes.map((p) => p.notificationId)).size, 3, 'notification ids repeat');
          assert.equal(viaOnPush.length, 3);

          assert.deepEqual(await client.unsubscribe('Tick'), []);
          assert.equal(await client.request('publisher', 'Emit', { n: 2 }), 2);
          assert.equal(pushes.length, 3, 'pushes arrived after unsubscribe');
        } finally {
          client.off('push', onPush);
          removeOnPush();
        }
      });

      it('subscribe answers every subscribed type, sorted', async () => {
        assert.deepEqual(await client.subscribe(['Tick', 'Echo']), ['Echo', 'Tick']);
        assert.deepEqual(await client.subscribe('SetValue'), ['Echo', 'SetValue', 'Tick']);
        assert.deepEqual(await client.unsubscribe(['Echo', 'SetValue', 'Tick']), []);
      });

      it('subscribe to an unregistered type rejects with UnknownMessageTypeError and changes nothing', async () => {
        assert.deepEqual(await client.subscribe('Tick'), ['Tick']);
        await assert.rejects(client.subscribe(['NoSuchType']), ipc.UnknownMessageTypeError);
        assert.deepEqual(await client.unsubscribe([]), ['Tick']);
        assert.deepEqual(await client.unsubscribe('Tick'), []);
      });

      it('discover lists actors, their message types and all message types', async () => {
        const info = await client.discover();
        assert.deepEqual(info.protocolVersion, {
          current: 2,
          minSupported: 1,
          maxSupported: 2,
          capabilities: { messagepack: true, streaming: true, push: true, discovery: true },
        });
        const names = info.actors.map((a) => a.name);
        assert.deepEqual(names, [...names].sort(), 'actors are not sorted by name');
        for (const [name, types] of Object.entries(ACTORS)) {
          const actor = info.actors.find((a) => a.name === name);
          assert.ok(actor, `actor ${name} missing from ${JSON.stringify(names)}`);
          assert.deepEqual([...actor.messageTypes].sort(), types);
        }
        assert.deepEqual(info.messageTypes, [...info.messageTypes].sort(), 'message types are not sorted');
        for (const type of REGISTERED_TYPES) assert.ok(info.messageTypes.includes(type), `${type} missing`);
      });

      it('discover leaves out what was not asked for', async () => {
        const noActors = await client.discover({ includeActors: false });
        assert.equal(noActors.actors, undefined);
        assert.ok(Array.isArray(noActors.messageTypes));
        const noTypes = await client.discover({ includeMessageTypes: false });
        assert.ok(Array.isArray(noTypes.actors));
        assert.equal(noTypes.messageTypes, undefined);
        const neither = await client.discover({ includeActors: false, includeMessageTypes: false });
        assert.deepEqual(Object.keys(neither), ['protocolVersion']);
      });

      it('heartbeat returns the round trip in ms', async () => {
        const ms = await client.heartbeat();
        assert.equal(typeof ms, 'number');
        assert.ok(ms >= 0 && ms < 10000, `round trip ${ms} ms`);
      });
    });
  }

  it('pushes reach a subscriber when another client emits', async () => {
    const subscriber = await ipc.Client.connect({ path: server.path, format: 'msgpack' });
    const emitter = await ipc.Client.connect({ path: server.path });
    try {
      await subscriber.subscribe(['Tick']);
      const pushes = [];
      const threeArrived = new Promise((resolve) => {
        subscriber.on('push', (push) => {
          pushes.push(push);
          if (pushes.length === 3) resolve(undefined);
        });
      });
      assert.equal(await emitter.request('publisher', 'Emit', { n: 3 }), 3);
      let timer;
      await Promise.race([
        threeArrived,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`only ${pushes.length} of 3 pushes within 5 s`)), 5000);
        }),
      ]);
      clearTimeout(timer);
      assert.deepEqual(pushes.map((p) => p.payload.seq), [1, 2, 3]);
    } finally {
      await Promise.all([subscriber.close(), emitter.close()]);
    }
  });

  it('connect finds the socket through TROUPE_IPC_SOCKET', async () => {
    const saved = process.env.TROUPE_IPC_SOCKET;
    process.env.TROUPE_IPC_SOCKET = server.path;
    try {
      const client = await ipc.connect({ app: 'ignored-when-the-variable-is-set' });
      assert.equal(client.path, server.path);
      assert.deepEqual(await client.request('echo', 'Echo', { text: 'env' }), { text: 'env' });
      await client.close();
    } finally {
      if (saved === undefined) delete process.env.TROUPE_IPC_SOCKET;
      else process.env.TROUPE_IPC_SOCKET = saved;
    }
  });

  it('close rejects calls still waiting with ConnectionClosedError, and later calls too', async () => {
    const client = await ipc.Client.connect({ path: server.path });
    const closeEvent = waitForEvent(client, 'close', 5000);
    // Handlers are attached before close() so the rejections are never unhandled.
    const sleeping = assert.rejects(client.request('slow', 'Sleep', { ms: 2000 }), ipc.ConnectionClosedError);
    const streaming = assert.rejects(client.stream('counter', 'Count', { n: 3 }).next(), ipc.ConnectionClosedError);
    assert.equal(client.pendingCount, 2);
    await client.close();
    await sleeping;
    await streaming;
    await assert.rejects(client.request('echo', 'Echo', { text: 'x' }), ipc.ConnectionClosedError);
    await assert.rejects(client.heartbeat(), ipc.ConnectionClosedError);
    await assert.rejects(client.stream('counter', 'Count', { n: 1 }).next(), ipc.ConnectionClosedError);
    const [reason] = await closeEvent;
    assert.equal(reason, undefined);
    assert.equal(client.closed, true);
    await client.close(); // twice is fine
  });

  it('connect to a path with no server rejects with IoError naming the path', async () => {
    const missing = `${server.dir}/no-such.sock`;
    await assert.rejects(ipc.Client.connect({ path: missing }), (err) => {
      assert.ok(err instanceof ipc.IoError);
      assert.equal(err.code, 'IO_ERROR');
      assert.match(err.message, /no-such\.sock/);
      assert.match(err.message, /ENOENT/);
      return true;
    });
  });

  it('rejects bad arguments with clear messages before sending anything', async () => {
    const client = await ipc.Client.connect({ path: server.path });
    try {
      await assert.rejects(client.request('', 'Echo', {}), { name: 'TypeError', message: /target must be a non-empty string, got ""/ });
      await assert.rejects(client.request('echo', 42, {}), { name: 'TypeError', message: /messageType must be a non-empty string, got 42/ });
      await assert.rejects(client.request('echo', 'Echo', {}, { timeout: -1 }), { name: 'RangeError', message: /timeout .* got -1/ });
      await assert.rejects(client.subscribe([1]), { name: 'TypeError', message: /message type #0/ });
      await assert.rejects(client.discover({ includeActors: 'yes' }), { name: 'TypeError', message: /includeActors must be a boolean, got "yes"/ });
      await assert.rejects(client.request('echo', 'Echo', { f() {} , x: Symbol('s') }), ipc.SerializationError);
      await assert.rejects(ipc.Client.connect({ path: server.path, format: 'xml' }), { name: 'TypeError', message: /'json' or 'msgpack', got "xml"/ });
      assert.equal(client.pendingCount, 0);
      assert.deepEqual(await client.request('echo', 'Echo', { text: 'still fine' }), { text: 'still fine' });
    } finally {
      await client.close();
    }
  });
});
