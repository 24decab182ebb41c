'use strict';

// Many calls in flight on one connection, answered out of order, and several
// clients at once.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const ipc = require('..');
const { startServer } = require('../test-support/server');

describe('concurrency', { timeout: 60000 }, () => {
  /** @type {import('../test-support/server').TestServer} */
  let server;

  before(async () => {
    server = await startServer();
  });

  after(async () => {
    const result = await server.stop();
    assert.equal(result.code, 0, server.describeExit(result));
  });

  for (const format of ['json', 'msgpack']) {
    it(`200 concurrent requests on one connection get their own replies (${format})`, async () => {
      const client = await ipc.Client.connect({ path: server.path, format, timeout: 20000 });
      try {
        const calls = [];
        const expected = [];
        for (let i = 0; i < 200; i++) {
          switch (i % 4) {
            case 0: { // sleeps sent longest first: their replies come back out of order
              const ms = 200 - i;
              calls.push(client.request('slow', 'Sleep', { ms }));
              expected.push(ms);
              break;
            }
            case 1:
              calls.push(client.request('echo', 'Echo', { text: `message ${i}` }));
              expected.push({ text: `message ${i}` });
              break;
            case 2:
              calls.push(client.request('counter', 'Count', { n: i % 7 }));
              expected.push(Array.from({ length: i % 7 }, (_, k) => k + 1));
              break;
            default:
              calls.push(client.request('my-service', 'SetValue', { key: `${format}-${i}`, value: i })
                .then(() => client.request('my-service', 'GetValue', { key: `${format}-${i}` })));
              expected.push(i);
          }
        }
        assert.ok(client.pendingCount >= 150, `only ${client.pendingCount} calls in flight`);
        assert.deepEqual(await Promise.all(calls), expected);
        assert.equal(client.pendingCount, 0);
      } finally {
        await client.close();
      }
    });
  }

  it('Sleep replies come back in order of their end, each to its own call', async () => {
    const client = await ipc.Client.connect({ path: server.path });
    try {
      const finished = [];
      await Promise.all([300, 150, 10].map((ms) =>
        client.request('slow', 'Sleep', { ms }).then((reply) => {
          assert.equal(reply, ms);
          finished.push(ms);
        })));
      assert.deepEqual(finished, [10, 150, 300]);
    } finally {
      await client.close();
    }
  });

  it('streams and requests interleave on one connection', async () => {
    const client = await ipc.Client.connect({ path: server.path, format: 'msgpack' });
    try {
      const [a, b, c, echo] = await Promise.all([
        client.stream('counter', 'Count', { n: 100 }).toArray(),
        client.stream('counter', 'Count', { n: 3 }).toArray(),
        client.stream('counter', 'Count', { n: 50 }).toArray(),
        client.request('echo', 'Echo', { text: 'between' }),
      ]);
      assert.deepEqual(a, Array.from({ length: 100 }, (_, i) => i + 1));
      assert.deepEqual(b, [1, 2, 3]);
      assert.deepEqual(c, Array.from({ length: 50 }, (_, i) => i + 1));
      assert.deepEqual(echo, { text: 'between' });
    } finally {
      await client.close();
    }
  });

  it('several clients at once, in both formats', async () => {
    const clients = await Promise.all(Array.from({ length: 6 }, (_, n) =>
      ipc.Client.connect({ path: server.path, format: n % 2 ? 'msgpack' : 'json' })));
    try {
      await Promise.all(clients.map(async (client, n) => {
        const calls = [];
        for (let i = 0; i < 30; i++) {
          const key = `client${n}-key${i}`;
          calls.push(client.request('my-service', 'SetValue', { key, value: n * 1000 + i })
            .then(() => client.request('my-service', 'GetValue', { key }))
            .then((value) => assert.equal(value, n * 1000 + i)));
          calls.push(client.request('echo', 'Echo', { text: key })
            .then((reply) => assert.deepEqual(reply, { text: key })));
        }
        calls.push(client.stream('counter', 'Count', { n: 20 }).toArray()
          .then((items) => assert.equal(items.length, 20)));
        calls.push(client.heartbeat());
        await Promise.all(calls);
      }));
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});
