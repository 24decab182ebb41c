'use strict';

/**
 * A raw socket speaking frames, for tests that send what the client never would
 * (bad header bytes, invalid payloads, v1 frames).
 */

const net = require('node:net');
const { FrameDecoder, decodePayload } = require('../lib/protocol');

/** Bound on each wait. */
const WAIT_MS = 10000;

class RawConnection {
  /** @param {net.Socket} socket */
  constructor(socket) {
    this.socket = socket;
    this.decoder = new FrameDecoder();
    /** @type {import('../lib/protocol').Frame[]} */
    this.frames = [];
    /** @type {(() => void)[]} */
    this.waiters = [];
    this.ended = false;
    this.closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      this.frames.push(...this.decoder.push(chunk));
      this.#wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.#wake();
    });
  }

  #wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** @param {Uint8Array} bytes */
  send(bytes) {
    this.socket.write(bytes);
  }

  /**
   * The next frame, with its payload decoded as `body`.
   * @returns {Promise<import('../lib/protocol').Frame & {body: any}>}
   */
  async nextFrame() {
    const deadline = Date.now() + WAIT_MS;
    while (this.frames.length === 0) {
      if (this.ended) throw new Error('the server closed the connection instead of sending a frame');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame from the server within ${WAIT_MS} ms`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve(undefined);
        });
      });
    }
    const frame = /** @type {import('../lib/protocol').Frame} */ (this.frames.shift());
    return { ...frame, body: decodePayload(frame.format, frame.payload) };
  }

  /** Waits (bounded) for the server to close the connection. */
  async waitClosed() {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the server did not close the connection within ${WAIT_MS} ms`)), WAIT_MS);
    });
    try {
      await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close() {
    this.socket.destroy();
    return this.closed;
  }
}

/**
 * @param {string} socketPath
 * @returns {Promise<RawConnection>}
 */
function rawConnect(socketPath) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ path: socketPath });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(new RawConnection(socket));
    });
  });
}

module.exports = { rawConnect };
