'use strict';

// Unit tests of lib/socket-path.js.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');

const { defaultSocketPath, resolveSocketPath, SOCKET_ENV_VAR } = require('..');

describe('socket path', () => {
  it('uses XDG_RUNTIME_DIR when set', () => {
    assert.equal(defaultSocketPath('my-app', { XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/troupe/my-app.sock');
  });

  it('falls back to /tmp/troupe-<uid>/ (also for an empty XDG_RUNTIME_DIR)', () => {
    const expected = `/tmp/troupe-${process.getuid()}/my-app.sock`;
    assert.equal(defaultSocketPath('my-app', {}), expected);
    assert.equal(defaultSocketPath('my-app', { XDG_RUNTIME_DIR: '' }), expected);
  });

  it('defaultSocketPath reads process.env by default', () => {
    const saved = process.env.XDG_RUNTIME_DIR;
    process.env.XDG_RUNTIME_DIR = '/run/test-xdg';
    try {
      assert.equal(defaultSocketPath('a'), '/run/test-xdg/troupe/a.sock');
    } finally {
      if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = saved;
    }
  });

  it('defaultSocketPath ignores TROUPE_IPC_SOCKET (it is the server default)', () => {
    assert.equal(defaultSocketPath('a', { [SOCKET_ENV_VAR]: '/x.sock', XDG_RUNTIME_DIR: '/r' }), '/r/troupe/a.sock');
  });

  it('refuses bad application names', () => {
    for (const bad of ['', 'a/b', '.', '..', 'nul\0']) {
      assert.throws(() => defaultSocketPath(bad, {}), TypeError, JSON.stringify(bad));
    }
    assert.throws(() => defaultSocketPath(/** @type {any} */ (undefined), {}), /non-empty string, got undefined/);
  });

  it('resolve: explicit path, then TROUPE_IPC_SOCKET, then the default of app', () => {
    const env = { [SOCKET_ENV_VAR]: '/env.sock', XDG_RUNTIME_DIR: '/r' };
    assert.equal(SOCKET_ENV_VAR, 'TROUPE_IPC_SOCKET');
    assert.equal(resolveSocketPath({ path: '/explicit.sock', app: 'a' }, env), '/explicit.sock');
    assert.equal(resolveSocketPath({ app: 'a' }, env), '/env.sock');
    assert.equal(resolveSocketPath({}, env), '/env.sock');
    assert.equal(resolveSocketPath({ app: 'a' }, { XDG_RUNTIME_DIR: '/r' }), '/r/troupe/a.sock');
    assert.equal(resolveSocketPath({ app: 'a' }, { [SOCKET_ENV_VAR]: '', XDG_RUNTIME_DIR: '/r' }), '/r/troupe/a.sock');
  });

  it('resolve with nothing to go on says what to do', () => {
    assert.throws(() => resolveSocketPath({}, {}), /pass \{path\}, pass \{app\} .* or set TROUPE_IPC_SOCKET/);
  });
});
