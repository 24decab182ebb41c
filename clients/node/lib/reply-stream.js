'use strict';

/**
 * The async iterator handed out by Client#stream: a queue fed by the client
 * as stream frames arrive, read with `for await`.
 * @module troupe-ipc/reply-stream
 */

/** Producer-side methods, reachable only from inside the package. */
const kPush = Symbol('push');
const kEnd = Symbol('end');
const kFail = Symbol('fail');

/**
 * Items of one streamed reply, in order. Iterate it once with `for await`;
 * leaving the loop early stops delivery (the server still finishes the stream,
 * its remaining frames are dropped).
 * @template T
 * @implements {AsyncIterableIterator<T>}
 */
class ReplyStream {
  /** @type {T[]} */
  #items = [];
  /** @type {{resolve: (r: IteratorResult<T, undefined>) => void, reject: (e: Error) => void}[]} */
  #waiters = [];
  #ended = false;
  /** @type {Error | null} */
  #error = null;
  /** @type {(() => void) | null} */
  #onCancel;

  /**
   * @param {object} [options]
   * @param {() => void} [options.onCancel] called once if the consumer stops early
   */
  constructor(options = {}) {
    this.#onCancel = options.onCancel || null;
  }

  /** The correlation id of the stream request (set by the client). @type {string | undefined} */
  correlationId = undefined;

  /** @returns {boolean} whether no more items will arrive (ended, failed or cancelled) */
  get finished() {
    return this.#ended || this.#error !== null;
  }

  /** @returns {this} */
  [Symbol.asyncIterator]() {
    return this;
  }

  /**
   * Resolves with the next item, `{done: true}` at the end, or rejects with the
   * error the stream failed with.
   * @returns {Promise<IteratorResult<T, undefined>>}
   */
  next() {
    if (this.#items.length > 0) {
      return Promise.resolve({ value: /** @type {T} */ (this.#items.shift()), done: false });
    }
    if (this.#error) {
      const error = this.#error;
      return Promise.reject(error);
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /**
   * Stops the iteration (what `break` in a `for await` loop calls).
   * @returns {Promise<IteratorResult<T, undefined>>}
   */
  return() {
    const wasOpen = !this.finished;
    this.#items = [];
    this.#ended = true;
    this.#error = null;
    this.#settleWaiters();
    if (wasOpen && this.#onCancel) this.#onCancel();
    this.#onCancel = null;
    return Promise.resolve({ value: undefined, done: true });
  }

  /**
   * Reads the whole stream.
   * @returns {Promise<T[]>} every item, in order
   */
  async toArray() {
    /** @type {T[]} */
    const out = [];
    for await (const item of this) out.push(item);
    return out;
  }

  /** @param {T} item */
  [kPush](item) {
    if (this.finished) return;
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve({ value: item, done: false });
    else this.#items.push(item);
  }

  /** Marks the normal end of the stream. */
  [kEnd]() {
    if (this.finished) return;
    this.#ended = true;
    this.#onCancel = null;
    this.#settleWaiters();
  }

  /**
   * Fails the stream: items already queued are still delivered, then the error.
   * @param {Error} error
   */
  [kFail](error) {
    if (this.finished) return;
    this.#error = error;
    this.#onCancel = null;
    this.#settleWaiters();
  }

  #settleWaiters() {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (this.#error) waiter.reject(this.#error);
      else waiter.resolve({ value: undefined, done: true });
    }
  }
}

module.exports = { ReplyStream, kPush, kEnd, kFail };
