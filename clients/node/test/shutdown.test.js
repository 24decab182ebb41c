'use strict';

// Graceful shutdown: SIGTERM lets requests in flight finish, refuses new ones,
// then closes the connections and exits 0.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');

const ipc = require('..');
const { startServer, waitForEvent } = require('../test-support/server');

describe('graceful shutdown', { timeout: 30000 }, () => {
  it('a Sleep in flight is answered after SIGTERM, new requests get SHUTTING_DOWN, then the connection closes', async () => {
    const server = await startServer();
    let exit;
    try {
      const client = await ipc.Client.connect({ path: server.path, timeout: 10000 });
      const closed = waitForEvent(client, 'close', 10000);
      const sleeping = client.request('slow', 'Sleep', { ms: 1500 });
      // The heartbeat echo comes after the server read the Sleep request.
      await client.heartbeat();
      server.terminate();

      // Until the server acts on SIGTERM requests may still pass; after, they are refused.
      // Bounded: each round trip is short and the loop stops at the first refusal.
      let refusal = null;
      const deadline = Date.now() + 1000;
      while (refusal === null && Date.now() < deadline) {
        try {
          await client.request('echo', 'Echo', { text: 'during shutdown' });
        } catch (err) {
          refusal = err;
        }
      }
      assert.ok(refusal, 'no request was refused within 1 s of SIGTERM');
      assert.ok(refusal instanceof ipc.ShuttingDownError, `expected ShuttingDownError, got ${refusal.name}: ${refusal.message}`);
      assert.equal(refusal.code, 'SHUTTING_DOWN');

      assert.equal(await sleeping, 1500);
      const [reason] = await closed;
      assert.ok(reason === undefined || reason instanceof ipc.IpcError);
      assert.equal(client.closed, true);
      await assert.rejects(client.request('echo', 'Echo', { text: 'x' }), ipc.ConnectionClosedError);
    } finally {
      exit = await server.stop();
    }
    assert.equal(exit.code, 0, server.describeExit(exit));
  });

  it('SIGTERM with nothing in flight exits 0 and closes idle connections', async () => {
    const server = await startServer();
    const client = await ipc.Client.connect({ path: server.path });
    const closed = waitForEvent(client, 'close', 10000);
    const exit = await server.stop();
    assert.equal(exit.code, 0, server.describeExit(exit));
    await closed;
    await assert.rejects(client.heartbeat(), ipc.ConnectionClosedError);
  });
});
