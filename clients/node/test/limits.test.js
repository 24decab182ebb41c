'use strict';

// Server limits: rate limiting, the connection limit and the frame size limit,
// each on a server started with the flag.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const ipc = require('..');
const { startServer, waitForEvent } = require('../test-support/server');
const { rawConnect } = require('../test-support/raw');
const { MessageType } = require('../lib/protocol');

/** Starts a server with `args` for the enclosing describe, stops it after (exit code 0). */
function withServer(args) {
  const handle = { /** @type {import('../test-support/server').TestServer | null} */ server: null };
  before(async () => {
    handle.server = await startServer({ args });
  });
  after(async () => {
    const server = /** @type {import('../test-support/server').TestServer} */ (handle.server);
    const result = await server.stop();
    assert.equal(result.code, 0, server.describeExit(result));
  });
  return handle;
}

describe('RATE_LIMITED with --rate 5 --burst 5', { timeout: 30000 }, () => {
  const handle = withServer(['--rate', '5', '--burst', '5']);

  it('a burst of 20 requests gets some refused with RateLimitedError', async () => {
    const client = await ipc.Client.connect({ path: handle.server.path });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => client.request('echo', 'Echo', { text: `r${i}` })),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected');
      assert.ok(ok.length >= 1, 'no request got through');
      assert.ok(ok.length <= 10, `${ok.length} of 20 requests got through a burst of 5`);
      assert.ok(refused.length >= 1, 'no request was rate limited');
      for (const r of refused) {
        const err = /** @type {PromiseRejectedResult} */ (r).reason;
        assert.ok(err instanceof ipc.RateLimitedError, `expected RateLimitedError, got ${err.name}: ${err.message}`);
        assert.equal(err.code, 'RATE_LIMITED');
        assert.match(err.message, /retry/i);
        assert.equal(typeof err.correlationId, 'string');
      }
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') assert.deepEqual(r.value, { text: `r${i}` });
      });
    } finally {
      await client.close();
    }
  });
});

describe('CONNECTION_LIMIT_REACHED with --max-connections 1', { timeout: 30000 }, () => {
  const handle = withServer(['--max-connections', '1']);

  it('a second connection is refused; the first keeps working', async () => {
    const first = await ipc.Client.connect({ path: handle.server.path });
    try {
      await assert.rejects(ipc.Client.connect({ path: handle.server.path }), (err) => {
        assert.ok(err instanceof ipc.ConnectionLimitReachedError, `expected ConnectionLimitReachedError, got ${err.name}: ${err.message}`);
        assert.equal(err.code, 'CONNECTION_LIMIT_REACHED');
        assert.equal(err.correlationId, '__connection_rejected__');
        assert.ok(err.message.length > 0);
        return true;
      });
      assert.deepEqual(await first.request('echo', 'Echo', { text: 'first' }), { text: 'first' });
    } finally {
      await first.close();
    }
  });
});

describe('CONNECTION_LIMIT_REACHED on the wire with --max-connections 1', { timeout: 30000 }, () => {
  const handle = withServer(['--max-connections', '1']);

  it('a refused connection that writes nothing gets one error frame, then EOF', async () => {
    const first = await ipc.Client.connect({ path: handle.server.path });
    const raw = await rawConnect(handle.server.path);
    try {
      const frame = await raw.nextFrame();
      assert.equal(frame.type, MessageType.ERROR);
      assert.equal(frame.body.correlation_id, '__connection_rejected__');
      assert.equal(frame.body.success, false);
      assert.equal(frame.body.error_code, 'CONNECTION_LIMIT_REACHED');
      const err = ipc.errorFromCode(frame.body.error_code, frame.body.error, frame.body.correlation_id);
      assert.ok(err instanceof ipc.ConnectionLimitReachedError);
      await raw.waitClosed();
      assert.equal(raw.frames.length, 0, 'more than one frame on a refused connection');
    } finally {
      await raw.close();
      await first.close();
    }
  });
});

describe('frame size limit with --max-frame 4096', { timeout: 30000 }, () => {
  const handle = withServer(['--max-frame', '4096']);

  it('a request frame over the limit is skipped with a PROTOCOL_ERROR; the connection stays open', async () => {
    const client = await ipc.Client.connect({ path: handle.server.path });
    try {
      assert.deepEqual(await client.request('echo', 'Echo', { text: 'small' }), { text: 'small' });
      // The server does not read a frame over its limit, so it cannot know the correlation
      // id: it answers "unknown", which reaches the client as a 'serverError' event, and
      // the call itself ends with the client's own timeout.
      const serverError = waitForEvent(client, 'serverError', 10000);
      const call = assert.rejects(
        client.request('echo', 'Echo', { text: 'x'.repeat(10000) }, { timeout: 500 }),
        (err) => err instanceof ipc.TimeoutError && /client-side/.test(err.message),
      );
      const [err] = await serverError;
      assert.ok(err instanceof ipc.ProtocolError, `expected ProtocolError, got ${err.name}: ${err.message}`);
      assert.equal(err.code, 'PROTOCOL_ERROR');
      assert.equal(err.correlationId, 'unknown');
      await call;
      assert.equal(client.closed, false);
      assert.deepEqual(await client.request('echo', 'Echo', { text: 'still open' }), { text: 'still open' });
    } finally {
      await client.close();
    }
  });

  it('the client itself refuses frames over 16 MiB before sending', async () => {
    const client = await ipc.Client.connect({ path: handle.server.path });
    try {
      await assert.rejects(
        client.request('echo', 'Echo', { text: 'x'.repeat(16 * 1024 * 1024) }),
        { name: 'ProtocolError', message: /over the 16777216-byte \(16 MiB\) limit/ },
      );
      assert.equal(client.pendingCount, 0);
      assert.equal(client.closed, false);
    } finally {
      await client.close();
    }
  });
});
