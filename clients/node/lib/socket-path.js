'use strict';

/**
 * Where a troupe application's IPC socket lives.
 *
 * The default path of application `<app>` is `$XDG_RUNTIME_DIR/troupe/<app>.sock`
 * when XDG_RUNTIME_DIR is set, else `/tmp/troupe-<uid>/<app>.sock`.
 * The environment variable TROUPE_IPC_SOCKET (a full path) overrides it.
 * @module troupe-ipc/socket-path
 */

const os = require('node:os');
const path = require('node:path');

/** Environment variable holding a full socket path that overrides the default. */
const SOCKET_ENV_VAR = 'TROUPE_IPC_SOCKET';

/**
 * The default socket path of an application: where its server listens when it is
 * not given a path. Does not look at TROUPE_IPC_SOCKET (see {@link resolveSocketPath}).
 * @param {string} app application name
 * @param {NodeJS.ProcessEnv} [env=process.env]
 * @returns {string}
 */
function defaultSocketPath(app, env = process.env) {
  if (typeof app !== 'string' || app === '') {
    throw new TypeError(`application name must be a non-empty string, got ${describe(app)}`);
  }
  if (app.includes('/') || app.includes('\0') || app === '.' || app === '..') {
    throw new TypeError(`application name ${JSON.stringify(app)} must not contain '/' or NUL, nor be '.' or '..'`);
  }
  const runtimeDir = env.XDG_RUNTIME_DIR;
  if (runtimeDir) return path.join(runtimeDir, 'troupe', `${app}.sock`);
  return path.join('/tmp', `troupe-${currentUid()}`, `${app}.sock`);
}

/**
 * Picks the socket to connect to: an explicit path; else TROUPE_IPC_SOCKET;
 * else the default path of `app`.
 * @param {object} [options]
 * @param {string} [options.path] explicit socket path
 * @param {string} [options.app] application name, for the default path
 * @param {NodeJS.ProcessEnv} [env=process.env]
 * @returns {string}
 */
function resolveSocketPath(options = {}, env = process.env) {
  const { path: explicit, app } = options;
  if (explicit !== undefined && explicit !== null) {
    if (typeof explicit !== 'string' || explicit === '') {
      throw new TypeError(`path must be a non-empty string, got ${describe(explicit)}`);
    }
    return explicit;
  }
  const override = env[SOCKET_ENV_VAR];
  if (override) return override;
  if (app === undefined || app === null) {
    throw new TypeError(
      `no socket to connect to: pass {path}, pass {app} to use that application's default path, or set ${SOCKET_ENV_VAR}`,
    );
  }
  return defaultSocketPath(app, env);
}

/** @returns {number | string} the user id, as used in /tmp/troupe-<uid> */
function currentUid() {
  if (typeof process.getuid === 'function') return process.getuid();
  return os.userInfo().uid;
}

/** @param {unknown} value @returns {string} */
function describe(value) {
  return typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value;
}

module.exports = { SOCKET_ENV_VAR, defaultSocketPath, resolveSocketPath };
