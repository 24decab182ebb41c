'use strict';

// Unit tests of lib/errors.js: one class per code, unknown codes, messages.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');

const ipc = require('..');

const CLASSES = {
  UNKNOWN_MESSAGE_TYPE: ipc.UnknownMessageTypeError,
  ACTOR_NOT_FOUND: ipc.ActorNotFoundError,
  SERIALIZATION_ERROR: ipc.SerializationError,
  TARGET_BUSY: ipc.TargetBusyError,
  CONNECTION_CLOSED: ipc.ConnectionClosedError,
  PROTOCOL_ERROR: ipc.ProtocolError,
  IO_ERROR: ipc.IoError,
  TIMEOUT: ipc.TimeoutError,
  RATE_LIMITED: ipc.RateLimitedError,
  SHUTTING_DOWN: ipc.ShuttingDownError,
  UNSUPPORTED_PROTOCOL_VERSION: ipc.UnsupportedProtocolVersionError,
  CONNECTION_LIMIT_REACHED: ipc.ConnectionLimitReachedError,
  HANDLER_FAILED: ipc.HandlerFailedError,
  PERMISSION_DENIED: ipc.PermissionDeniedError,
};

describe('errors', () => {
  it('ErrorCode lists every code', () => {
    assert.deepEqual(Object.keys(ipc.ErrorCode).sort(), Object.keys(CLASSES).sort());
  });

  for (const [code, cls] of Object.entries(CLASSES)) {
    it(`${code} maps to ${cls.name}`, () => {
      const err = ipc.errorFromCode(code, 'what went wrong', 'cid-1');
      assert.ok(err instanceof cls);
      assert.ok(err instanceof ipc.IpcError);
      assert.ok(err instanceof Error);
      assert.equal(err.code, code);
      assert.equal(err.name, cls.name);
      assert.equal(err.message, 'what went wrong');
      assert.equal(err.correlationId, 'cid-1');
      assert.equal(new cls('direct').code, code);
    });
  }

  it('an unknown code gives the base class with that code', () => {
    const err = ipc.errorFromCode('SOMETHING_NEW', 'news', 'cid-2');
    assert.equal(err.constructor, ipc.IpcError);
    assert.equal(err.code, 'SOMETHING_NEW');
    assert.equal(err.name, 'IpcError');
    assert.equal(err.correlationId, 'cid-2');
  });

  it('a missing code or message still says something useful', () => {
    const err = ipc.errorFromCode(undefined, undefined);
    assert.equal(err.constructor, ipc.IpcError);
    assert.equal(err.code, 'UNKNOWN');
    assert.match(err.message, /the server reported UNKNOWN without a message/);
    assert.match(ipc.errorFromCode('TARGET_BUSY', '').message, /TARGET_BUSY without a message/);
  });

  it('a code inherited from Object.prototype is not a known code', () => {
    assert.equal(ipc.errorFromCode('toString', 'x').constructor, ipc.IpcError);
  });

  it('RateLimitedError reads the retry delay from the message when there is one', () => {
    assert.equal(new ipc.RateLimitedError('rate limit exceeded; retry after 200 ms').retryAfterMs, 200);
    assert.equal(new ipc.RateLimitedError('Retry after 15ms').retryAfterMs, 15);
    assert.equal(new ipc.RateLimitedError('slow down').retryAfterMs, undefined);
  });

  it('keeps the cause', () => {
    const cause = new Error('socket hung up');
    const err = new ipc.ConnectionClosedError('closed', { cause, correlationId: 'c' });
    assert.equal(err.cause, cause);
    assert.equal(err.correlationId, 'c');
  });
});
