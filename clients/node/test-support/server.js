'use strict';

/**
 * Starts and stops the real test server for the integration tests.
 * The binary comes from TROUPE_IPC_TEST_SERVER; without it the tests fail.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** Bound on the wait for the server's `listening` line. */
const READY_TIMEOUT_MS = 15000;
/** Bound on the wait for the server to exit after SIGTERM. */
const EXIT_TIMEOUT_MS = 15000;

/** @returns {string} path of the test server binary */
function serverBinary() {
  const bin = process.env.TROUPE_IPC_TEST_SERVER;
  if (!bin) {
    throw new Error(
      'TROUPE_IPC_TEST_SERVER is not set: set it to the troupe_ipc_test_server binary ' +
        '(build/release/ipc/tests/troupe_ipc_test_server) to run the integration tests',
    );
  }
  if (!fs.existsSync(bin)) {
    throw new Error(`TROUPE_IPC_TEST_SERVER is ${bin}, which does not exist: build the test server first`);
  }
  return bin;
}

/**
 * A running test server.
 */
class TestServer {
  /**
   * @param {import('node:child_process').ChildProcess} child
   * @param {string} socketPath
   * @param {string} dir temp dir holding the socket
   * @param {{stdout: string, stderr: string}} output collected output
   */
  constructor(child, socketPath, dir, output) {
    this.child = child;
    this.path = socketPath;
    this.dir = dir;
    this.output = output;
    /** @type {Promise<{code: number | null, signal: string | null}>} */
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  /** Sends SIGTERM (graceful shutdown) without waiting. */
  terminate() {
    this.child.kill('SIGTERM');
  }

  /**
   * Stops the server with SIGTERM and waits (bounded) for it to exit.
   * @returns {Promise<{code: number | null, signal: string | null}>}
   */
  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.terminate();
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve(null), EXIT_TIMEOUT_MS);
    });
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (result === null) {
      this.child.kill('SIGKILL');
      throw new Error(`the test server did not exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM; stderr:\n${this.output.stderr}`);
    }
    return /** @type {{code: number | null, signal: string | null}} */ (result);
  }

  /** Describes the server's exit for assertion messages. */
  describeExit(result) {
    return `test server exited with code ${result.code} signal ${result.signal}; stderr:\n${this.output.stderr}`;
  }
}

/**
 * Starts the test server on a socket in a fresh temp dir, and waits (bounded)
 * for its `listening PATH` line.
 * @param {object} [options]
 * @param {string[]} [options.args] extra arguments (--rate, --max-connections...)
 * @returns {Promise<TestServer>}
 */
async function startServer(options = {}) {
  const bin = serverBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'troupe-ipc-node-'));
  const socketPath = path.join(dir, 'test.sock');
  const child = spawn(bin, ['--socket', socketPath, ...(options.args || [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => {
    if (output.stderr.length < 64 * 1024) output.stderr += text;
  });
  child.stdout.setEncoding('utf8');
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));

  await new Promise((resolve, reject) => {
    const expected = `listening ${socketPath}`;
    const timer = setTimeout(() => {
      finish(new Error(`the test server did not print "${expected}" within ${READY_TIMEOUT_MS} ms; stdout:\n${output.stdout}\nstderr:\n${output.stderr}`));
    }, READY_TIMEOUT_MS);
    const onData = (text) => {
      output.stdout += text;
      if (output.stdout.split('\n').some((line) => line.trim() === expected)) finish(null);
    };
    const onExit = (code, signal) => {
      finish(new Error(`the test server exited (code ${code}, signal ${signal}) before listening; stderr:\n${output.stderr}`));
    };
    const onError = (err) => finish(new Error(`could not start the test server ${bin}: ${err.message}`));
    function finish(err) {
      clearTimeout(timer);
      child.stdout.removeListener('data', onData);
      child.removeListener('exit', onExit);
      child.removeListener('error', onError);
      // Keep draining stdout so the server never blocks on a full pipe.
      child.stdout.on('data', (text) => {
        if (output.stdout.length < 64 * 1024) output.stdout += text;
      });
      if (err) {
        child.kill('SIGKILL');
        fs.rmSync(dir, { recursive: true, force: true });
        reject(err);
      } else {
        resolve(undefined);
      }
    }
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
  return new TestServer(child, socketPath, dir, output);
}

/**
 * Resolves when `emitter` emits `event`, rejects after `ms` (a bound, not a sleep).
 * @param {import('node:events').EventEmitter} emitter
 * @param {string} event
 * @param {number} ms
 * @returns {Promise<unknown[]>}
 */
function waitForEvent(emitter, event, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(event, onEvent);
      reject(new Error(`no '${event}' event within ${ms} ms`));
    }, ms);
    function onEvent(...args) {
      clearTimeout(timer);
      resolve(args);
    }
    emitter.once(event, onEvent);
  });
}

module.exports = { startServer, serverBinary, waitForEvent, TestServer };
