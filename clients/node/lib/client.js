'use strict';

/**
 * The connection to a troupe IPC server (acton-reactive IPC protocol v2).
 * @module troupe-ipc/client
 */

const net = require('node:net');
const { EventEmitter } = require('node:events');

const {
  MessageType,
  Format,
  formatFromName,
  encodeFrame,
  FrameDecoder,
  encodePayload,
  decodePayload,
} = require('./protocol');
const {
  IpcError,
  ConnectionClosedError,
  ProtocolError,
  IoError,
  TimeoutError,
  errorFromCode,
} = require('./errors');
const { resolveSocketPath } = require('./socket-path');
const { ReplyStream, kPush, kEnd, kFail } = require('./reply-stream');

/** Default for every timeout, in milliseconds (the server's default response timeout too). */
const DEFAULT_TIMEOUT_MS = 30000;
/** Largest delay setTimeout accepts. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** Correlation id the server uses for the error frame of a refused connection. */
const REJECTED_CORRELATION_ID = '__connection_rejected__';
/** How long close() waits for the server to close its side before dropping the socket. */
const CLOSE_GRACE_MS = 1000;

/**
 * @typedef {object} Push
 * @property {string} notificationId unique id of this notification
 * @property {string} messageType the broadcast message type
 * @property {string | undefined} sourceActor actor that broadcast it, when known
 * @property {unknown} payload the broadcast message
 * @property {number} timestampMs when it was sent (Unix milliseconds)
 */

/**
 * @typedef {object} Pending
 * @property {'request' | 'ack' | 'subscription' | 'discover' | 'stream'} kind
 * @property {(value: any) => void} resolve
 * @property {(error: Error) => void} reject
 * @property {NodeJS.Timeout | null} timer
 * @property {ReplyStream<unknown>} [stream] for kind 'stream'
 * @property {number} [nextSequence] for kind 'stream'
 * @property {() => void} [armTimer] for kind 'stream': restarts the idle timer
 */

/**
 * A connection to one server. Many calls may be in flight at once; answers are
 * matched to calls by correlation id.
 *
 * Events:
 * - `'push'` (push: {@link Push}): a broadcast of a subscribed message type.
 * - `'close'` (reason?: Error): the connection is closed; reason is set unless
 *   close() was called or the server closed it cleanly.
 * - `'serverError'` (error: IpcError): an error frame that answers no call of this
 *   client (e.g. correlation id "unknown"), or a frame this client cannot use.
 */
class Client extends EventEmitter {
  /** @type {net.Socket} */
  #socket;
  #format;
  #formatByte;
  #path;
  #timeout;
  #decoder = new FrameDecoder();
  /** @type {Map<string, Pending>} */
  #pending = new Map();
  /** @type {{resolve: (ms: number) => void, reject: (e: Error) => void, started: bigint, timer: NodeJS.Timeout}[]} */
  #heartbeats = [];
  #idPrefix = `js${Math.random().toString(36).slice(2, 10)}-`;
  #nextId = 1;
  #closed = false;
  #closing = false;
  /** @type {Error | null} why the connection ended, if not a clean close */
  #closeReason = null;
  /** @type {IpcError | null} the last error frame that answered no call */
  #lastServerError = null;
  /** @type {Promise<void>} */
  #closedPromise;
  /** @type {() => void} */
  #markClosed = () => {};

  /**
   * Use {@link Client.connect}; this wraps an already connected socket.
   * @param {net.Socket} socket
   * @param {{path: string, format: 'json' | 'msgpack', timeout: number}} options
   */
  constructor(socket, options) {
    super();
    this.#socket = socket;
    this.#path = options.path;
    this.#format = options.format;
    this.#formatByte = formatFromName(options.format);
    this.#timeout = options.timeout;
    this.#closedPromise = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', (err) => {
      if (!this.#closeReason && !this.#closing) {
        this.#closeReason = new IoError(`socket error on ${this.#path}: ${err.message}`, { cause: err });
      }
    });
    socket.on('close', () => this.#onClose());
  }

  /**
   * Connects to a server. Resolves once the server answered a heartbeat, so a
   * refused connection (connection limit, permission) rejects here with the
   * server's error.
   * @param {object} [options]
   * @param {string} [options.path] socket path (default: TROUPE_IPC_SOCKET, else the default path of `app`)
   * @param {string} [options.app] application name, for the default socket path
   * @param {'json' | 'msgpack'} [options.format='json'] payload format of every frame sent
   * @param {number} [options.timeout=30000] ms allowed for connecting (socket and heartbeat), and the default for each call
   * @returns {Promise<Client>}
   */
  static async connect(options = {}) {
    const { format = 'json', timeout = DEFAULT_TIMEOUT_MS } = options;
    formatFromName(format);
    checkTimeout(timeout, 'timeout');
    const socketPath = resolveSocketPath({ path: options.path, app: options.app });
    const deadline = Date.now() + timeout;
    const socket = await openSocket(socketPath, timeout);
    const client = new Client(socket, { path: socketPath, format, timeout });
    try {
      await client.heartbeat({ timeout: Math.max(1, deadline - Date.now()) });
    } catch (err) {
      client.#socket.destroy();
      await client.#closedPromise;
      throw describeHandshakeFailure(socketPath, /** @type {Error} */ (err));
    }
    return client;
  }

  /** Socket path of this connection. */
  get path() {
    return this.#path;
  }

  /** Payload format of the frames this client sends. @returns {'json' | 'msgpack'} */
  get format() {
    return this.#format;
  }

  /** Default timeout of each call, in ms. */
  get timeout() {
    return this.#timeout;
  }

  /** Whether the connection is closed (or closing). */
  get closed() {
    return this.#closed || this.#closing;
  }

  /** Number of calls waiting for an answer. */
  get pendingCount() {
    return this.#pending.size + this.#heartbeats.length;
  }

  /**
   * Sends a message and waits for the handler's reply.
   * @param {string} target name of an exposed actor
   * @param {string} messageType registered message type
   * @param {unknown} [payload=null] the message
   * @param {object} [options]
   * @param {number} [options.timeout] ms to wait for the reply (default: the client's timeout)
   * @param {number} [options.responseTimeoutMs] response_timeout_ms told to the server (default: timeout)
   * @returns {Promise<unknown>} the reply payload (null for a handler without reply)
   */
  async request(target, messageType, payload = null, options = {}) {
    const timeout = this.#callTimeout(options);
    return this.#call('request', MessageType.REQUEST, {
      target: checkName(target, 'target'),
      message_type: checkName(messageType, 'messageType'),
      payload,
      expects_reply: true,
      expects_stream: false,
      response_timeout_ms: this.#serverTimeout(options, timeout),
    }, timeout, `reply from "${target}" to ${messageType}`);
  }

  /**
   * Sends a message without waiting for the handler: resolves once the server
   * says the message is in the actor's mailbox.
   * @param {string} target name of an exposed actor
   * @param {string} messageType registered message type
   * @param {unknown} [payload=null] the message
   * @param {object} [options]
   * @param {number} [options.timeout] ms to wait for the server's acknowledgement
   * @returns {Promise<void>}
   */
  async fireAndForget(target, messageType, payload = null, options = {}) {
    const timeout = this.#callTimeout(options);
    await this.#call('ack', MessageType.REQUEST, {
      target: checkName(target, 'target'),
      message_type: checkName(messageType, 'messageType'),
      payload,
      expects_reply: false,
      expects_stream: false,
    }, timeout, `delivery acknowledgement for ${messageType} to "${target}"`);
  }

  /**
   * Sends a message whose handler answers with a stream of items.
   * @param {string} target name of an exposed actor
   * @param {string} messageType registered message type
   * @param {unknown} [payload=null] the message
   * @param {object} [options]
   * @param {number} [options.timeout] ms to wait for each next frame (default: the client's timeout)
   * @param {number} [options.responseTimeoutMs] response_timeout_ms told to the server (default: timeout)
   * @returns {ReplyStream<unknown>} async iterator of the item payloads
   */
  stream(target, messageType, payload = null, options = {}) {
    /** @type {string | undefined} */
    let id;
    const stream = new ReplyStream({
      onCancel: () => {
        if (id !== undefined) this.#forget(id);
      },
    });
    try {
      const timeout = this.#callTimeout(options);
      const body = {
        target: checkName(target, 'target'),
        message_type: checkName(messageType, 'messageType'),
        payload,
        expects_reply: true,
        expects_stream: true,
        response_timeout_ms: this.#serverTimeout(options, timeout),
      };
      id = this.#newId();
      stream.correlationId = id;
      const streamId = id;
      /** @type {Pending} */
      const pending = {
        kind: 'stream',
        resolve: () => stream[kEnd](),
        reject: (err) => stream[kFail](err),
        timer: null,
        stream,
        nextSequence: 0,
        armTimer: () => {
          if (pending.timer) clearTimeout(pending.timer);
          pending.timer = setTimeout(() => {
            this.#forget(streamId);
            stream[kFail](new TimeoutError(
              `no stream frame from "${target}" for ${messageType} within ${timeout} ms (client-side timeout)`,
              { correlationId: streamId },
            ));
          }, timeout);
        },
      };
      this.#send(MessageType.REQUEST, { correlation_id: id, ...body });
      this.#pending.set(id, pending);
      /** @type {() => void} */ (pending.armTimer)();
    } catch (err) {
      stream[kFail](/** @type {Error} */ (err));
    }
    return stream;
  }

  /**
   * Subscribes this connection to broadcasts of some message types.
   * @param {string | string[]} types message type(s)
   * @param {object} [options]
   * @param {number} [options.timeout]
   * @returns {Promise<string[]>} every type this connection is subscribed to now, sorted
   */
  async subscribe(types, options = {}) {
    return this.#call('subscription', MessageType.SUBSCRIBE, {
      message_types: checkTypes(types),
    }, this.#callTimeout(options), 'subscribe answer');
  }

  /**
   * Unsubscribes this connection from some message types.
   * @param {string | string[]} types message type(s)
   * @param {object} [options]
   * @param {number} [options.timeout]
   * @returns {Promise<string[]>} every type this connection is still subscribed to, sorted
   */
  async unsubscribe(types, options = {}) {
    return this.#call('subscription', MessageType.UNSUBSCRIBE, {
      message_types: checkTypes(types),
    }, this.#callTimeout(options), 'unsubscribe answer');
  }

  /**
   * Registers a listener for pushes (same as `client.on('push', callback)`).
   * @param {(push: Push) => void} callback
   * @returns {() => void} removes the listener
   */
  onPush(callback) {
    if (typeof callback !== 'function') {
      throw new TypeError(`onPush expects a function, got ${callback === null ? 'null' : typeof callback}`);
    }
    this.on('push', callback);
    return () => {
      this.off('push', callback);
    };
  }

  /**
   * Asks the server what it exposes.
   * @param {object} [options]
   * @param {boolean} [options.includeActors=true]
   * @param {boolean} [options.includeMessageTypes=true]
   * @param {number} [options.timeout]
   * @returns {Promise<import('../index').DiscoverResult>}
   */
  async discover(options = {}) {
    const { includeActors = true, includeMessageTypes = true } = options;
    checkBoolean(includeActors, 'includeActors');
    checkBoolean(includeMessageTypes, 'includeMessageTypes');
    return this.#call('discover', MessageType.DISCOVER, {
      include_actors: includeActors,
      include_message_types: includeMessageTypes,
    }, this.#callTimeout(options), 'discover answer');
  }

  /**
   * Sends a heartbeat and waits for its echo.
   * @param {object} [options]
   * @param {number} [options.timeout]
   * @returns {Promise<number>} round-trip time in milliseconds
   */
  async heartbeat(options = {}) {
    const timeout = this.#callTimeout(options);
    this.#ensureOpen();
    const frame = encodeFrame(MessageType.HEARTBEAT, this.#formatByte, Buffer.alloc(0));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        started: process.hrtime.bigint(),
        timer: setTimeout(() => {
          const index = this.#heartbeats.indexOf(waiter);
          if (index >= 0) this.#heartbeats.splice(index, 1);
          reject(new TimeoutError(`no heartbeat echo from ${this.#path} within ${timeout} ms`));
        }, timeout),
      };
      this.#heartbeats.push(waiter);
      this.#socket.write(frame);
    });
  }

  /**
   * Closes the connection. Calls still waiting reject with ConnectionClosedError.
   * Safe to call more than once.
   * @returns {Promise<void>} resolves once the socket is closed
   */
  close() {
    if (!this.#closed && !this.#closing) {
      this.#closing = true;
      this.#rejectAll(() => new ConnectionClosedError(`the client closed the connection to ${this.#path}`));
      this.#socket.end();
      const timer = setTimeout(() => this.#socket.destroy(), CLOSE_GRACE_MS);
      timer.unref();
      this.#closedPromise.then(() => clearTimeout(timer));
    }
    return this.#closedPromise;
  }

  // ---- internals ---------------------------------------------------------

  /** @returns {string} a correlation id unique on this connection */
  #newId() {
    return `${this.#idPrefix}${this.#nextId++}`;
  }

  /** @param {{timeout?: number}} options @returns {number} */
  #callTimeout(options) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`options must be an object, got ${options === null ? 'null' : typeof options}`);
    }
    if (options.timeout === undefined) return this.#timeout;
    return checkTimeout(options.timeout, 'timeout');
  }

  /** @param {{responseTimeoutMs?: number}} options @param {number} timeout @returns {number} */
  #serverTimeout(options, timeout) {
    if (options.responseTimeoutMs === undefined) return Math.ceil(timeout);
    return Math.ceil(checkTimeout(options.responseTimeoutMs, 'responseTimeoutMs'));
  }

  /** Throws the error a call gets when the connection is already closed. */
  #ensureOpen() {
    if (this.#closed || this.#closing) throw this.#closedError(`the connection to ${this.#path} is closed`);
  }

  /**
   * Encodes and writes one frame.
   * @param {number} type
   * @param {object} body
   */
  #send(type, body) {
    this.#ensureOpen();
    const frame = encodeFrame(type, this.#formatByte, encodePayload(this.#formatByte, body));
    this.#socket.write(frame);
  }

  /**
   * Sends a frame that expects one answer, and waits for it.
   * @param {Pending['kind']} kind
   * @param {number} type
   * @param {object} body envelope without correlation_id
   * @param {number} timeout ms
   * @param {string} what for the timeout message
   * @returns {Promise<any>}
   */
  #call(kind, type, body, timeout, what) {
    this.#ensureOpen();
    const id = this.#newId();
    const frame = encodeFrame(type, this.#formatByte, encodePayload(this.#formatByte, { correlation_id: id, ...body }));
    return new Promise((resolve, reject) => {
      /** @type {Pending} */
      const pending = {
        kind,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#pending.delete(id);
          reject(new TimeoutError(`no ${what} within ${timeout} ms (client-side timeout)`, { correlationId: id }));
        }, timeout),
      };
      this.#pending.set(id, pending);
      this.#socket.write(frame);
    });
  }

  /** Drops a pending call: later frames for it are ignored. @param {string} id */
  #forget(id) {
    const pending = this.#pending.get(id);
    if (!pending) return;
    if (pending.timer) clearTimeout(pending.timer);
    this.#pending.delete(id);
  }

  /** @param {Buffer} chunk */
  #onData(chunk) {
    if (this.#closing || this.#closed) return;
    let frames;
    try {
      frames = this.#decoder.push(chunk);
    } catch (err) {
      this.#abort(new ProtocolError(`the server sent an invalid frame: ${/** @type {Error} */ (err).message}`, { cause: err }));
      return;
    }
    for (const frame of frames) {
      if (this.#closing || this.#closed) return;
      this.#onFrame(frame);
    }
  }

  /** @param {import('./protocol').Frame} frame */
  #onFrame(frame) {
    if (frame.type === MessageType.HEARTBEAT) {
      const waiter = this.#heartbeats.shift();
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.resolve(Number(process.hrtime.bigint() - waiter.started) / 1e6);
      }
      return;
    }
    let body;
    try {
      body = decodePayload(frame.format, frame.payload);
    } catch (err) {
      const format = frame.format === Format.MSGPACK ? 'MessagePack' : 'JSON';
      this.#abort(new ProtocolError(
        `the server sent a frame (type 0x${hex(frame.type)}) whose payload is not valid ${format}: ${/** @type {Error} */ (err).message}`,
        { cause: err },
      ));
      return;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      this.#reportUnusable(`the server sent a frame (type 0x${hex(frame.type)}) whose payload is not an object: ${preview(body)}`);
      return;
    }
    switch (frame.type) {
      case MessageType.RESPONSE:
      case MessageType.ERROR:
        this.#onAnswer(frame.type, /** @type {Record<string, any>} */ (body));
        return;
      case MessageType.STREAM:
        this.#onStreamFrame(/** @type {Record<string, any>} */ (body));
        return;
      case MessageType.PUSH:
        this.#onPush(/** @type {Record<string, any>} */ (body));
        return;
      default:
        this.#reportUnusable(`the server sent a frame of message type 0x${hex(frame.type)}, which a client does not expect`);
    }
  }

  /**
   * A response (0x02) or error (0x03) frame.
   * @param {number} type
   * @param {Record<string, any>} body
   */
  #onAnswer(type, body) {
    const id = body.correlation_id;
    const failed = type === MessageType.ERROR || body.success === false;
    if (id === REJECTED_CORRELATION_ID) {
      this.#abort(errorFromCode(body.error_code, body.error, id));
      return;
    }
    const pending = typeof id === 'string' ? this.#pending.get(id) : undefined;
    if (!pending) {
      // A late answer to a call that timed out or was cancelled is expected; anything else is reported.
      if (typeof id === 'string' && id.startsWith(this.#idPrefix)) return;
      const error = failed
        ? errorFromCode(body.error_code, body.error, typeof id === 'string' ? id : undefined)
        : new ProtocolError(`the server answered correlation id ${preview(id)}, which no call of this client is waiting for`);
      // If the server closes the connection next, this is why (e.g. a frame over its size limit).
      this.#lastServerError = error;
      this.emit('serverError', error);
      return;
    }
    this.#forget(id);
    if (failed) {
      pending.reject(errorFromCode(body.error_code, body.error, id));
      return;
    }
    switch (pending.kind) {
      case 'request':
        pending.resolve(body.payload === undefined ? null : body.payload);
        return;
      case 'ack':
        pending.resolve(undefined);
        return;
      case 'subscription':
        if (!Array.isArray(body.subscribed_types)) {
          pending.reject(new ProtocolError(`the subscription answer has no subscribed_types list: ${preview(body)}`, { correlationId: id }));
        } else {
          pending.resolve(body.subscribed_types);
        }
        return;
      case 'discover':
        pending.resolve(toDiscoverResult(body));
        return;
      case 'stream':
        pending.reject(new ProtocolError(
          `the server answered a stream request with a single response instead of stream frames: ${preview(body)}`,
          { correlationId: id },
        ));
        return;
      default:
        return;
    }
  }

  /** @param {Record<string, any>} body */
  #onStreamFrame(body) {
    const id = body.correlation_id;
    const pending = typeof id === 'string' ? this.#pending.get(id) : undefined;
    if (!pending || pending.kind !== 'stream' || !pending.stream) {
      if (typeof id === 'string' && id.startsWith(this.#idPrefix)) return;
      this.#reportUnusable(`the server sent a stream frame for correlation id ${preview(id)}, which no stream of this client is waiting for`);
      return;
    }
    const { stream } = pending;
    if (body.sequence !== pending.nextSequence) {
      this.#forget(id);
      stream[kFail](new ProtocolError(
        `stream frame out of order: expected sequence ${pending.nextSequence}, got ${preview(body.sequence)}`,
        { correlationId: id },
      ));
      return;
    }
    pending.nextSequence = /** @type {number} */ (pending.nextSequence) + 1;
    if (body.is_final === true) {
      this.#forget(id);
      if (body.error_code !== undefined || body.error !== undefined) {
        stream[kFail](errorFromCode(body.error_code, body.error, id));
      } else {
        stream[kEnd]();
      }
      return;
    }
    /** @type {() => void} */ (pending.armTimer)();
    stream[kPush](body.payload === undefined ? null : body.payload);
  }

  /** @param {Record<string, any>} body */
  #onPush(body) {
    /** @type {Push} */
    const push = {
      notificationId: body.notification_id,
      messageType: body.message_type,
      sourceActor: body.source_actor === null ? undefined : body.source_actor,
      payload: body.payload === undefined ? null : body.payload,
      timestampMs: typeof body.timestamp_ms === 'bigint' ? Number(body.timestamp_ms) : body.timestamp_ms,
    };
    this.emit('push', push);
  }

  /** @param {string} message */
  #reportUnusable(message) {
    this.emit('serverError', new ProtocolError(message));
  }

  /**
   * Ends the connection because of an error: every waiting call rejects.
   * @param {Error} reason
   */
  #abort(reason) {
    if (this.#closed || this.#closing) return;
    this.#closeReason = reason;
    this.#closing = true;
    this.#rejectAll(() => this.#closedError(`the connection to ${this.#path} closed before the answer came`));
    this.#socket.destroy();
  }

  #onClose() {
    if (this.#closed) return;
    if (!this.#closeReason && !this.#closing && this.#lastServerError) this.#closeReason = this.#lastServerError;
    this.#rejectAll(() => this.#closedError(`the connection to ${this.#path} closed before the answer came`));
    this.#closed = true;
    this.#closing = false;
    this.emit('close', this.#closeReason || undefined);
    this.#markClosed();
  }

  /**
   * The error for a call that cannot complete because the connection ended.
   * @param {string} what how the call was cut off
   * @returns {Error}
   */
  #closedError(what) {
    const reason = this.#closeReason;
    if (reason instanceof IpcError && !(reason instanceof IoError) && !(reason instanceof ProtocolError)) {
      // The server refused the connection (CONNECTION_LIMIT_REACHED, PERMISSION_DENIED...): say so.
      return reason;
    }
    return new ConnectionClosedError(reason ? `${what}: ${reason.message}` : what, reason ? { cause: reason } : {});
  }

  /** @param {() => Error} makeError */
  #rejectAll(makeError) {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.reject(makeError());
    }
    const heartbeats = this.#heartbeats;
    this.#heartbeats = [];
    for (const waiter of heartbeats) {
      clearTimeout(waiter.timer);
      waiter.reject(makeError());
    }
  }
}

/**
 * Connects a Unix socket.
 * @param {string} socketPath
 * @param {number} timeout ms
 * @returns {Promise<net.Socket>}
 */
function openSocket(socketPath, timeout) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ path: socketPath });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TimeoutError(`could not connect to ${socketPath} within ${timeout} ms`));
    }, timeout);
    /** @param {NodeJS.ErrnoException} err */
    const onError = (err) => {
      clearTimeout(timer);
      reject(new IoError(connectFailure(socketPath, err), { cause: err }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
  });
}

/**
 * @param {string} socketPath
 * @param {NodeJS.ErrnoException} err
 * @returns {string} what went wrong, for a person
 */
function connectFailure(socketPath, err) {
  switch (err.code) {
    case 'ENOENT':
      return `cannot connect to ${socketPath}: no such socket (ENOENT); is the server running, and is the path right? (pass {path}, or set TROUPE_IPC_SOCKET)`;
    case 'ECONNREFUSED':
      return `cannot connect to ${socketPath}: nothing is listening there (ECONNREFUSED); the server may have stopped and left its socket file behind`;
    case 'EACCES':
    case 'EPERM':
      return `cannot connect to ${socketPath}: permission denied (${err.code})`;
    case 'ENOTSOCK':
      return `cannot connect to ${socketPath}: that file is not a socket (ENOTSOCK)`;
    default:
      return `cannot connect to ${socketPath}: ${err.message}`;
  }
}

/**
 * Explains a connection the server dropped before answering the connect heartbeat.
 * A server that refuses a connection sends its reason and closes; if it closes before
 * the heartbeat is written, the write fails (EPIPE/ECONNRESET) and the socket is gone
 * before the reason can be read.
 * @param {string} socketPath
 * @param {Error} err what the heartbeat rejected with
 * @returns {Error}
 */
function describeHandshakeFailure(socketPath, err) {
  const socketError = err instanceof ConnectionClosedError && err.cause instanceof IoError ? err.cause.cause : undefined;
  const code = socketError && /** @type {NodeJS.ErrnoException} */ (socketError).code;
  if (code !== 'EPIPE' && code !== 'ECONNRESET') return err;
  return new ConnectionClosedError(
    `the server at ${socketPath} closed the connection as soon as it accepted it (${code}), before answering ` +
      'the connect heartbeat: it most likely refused the connection (connection limit reached, or permission ' +
      'denied), but its reason could not be read',
    { cause: err },
  );
}

/**
 * @param {Record<string, any>} body discover answer
 * @returns {import('../index').DiscoverResult}
 */
function toDiscoverResult(body) {
  const version = body.protocol_version || {};
  const capabilities = version.capabilities || {};
  /** @type {import('../index').DiscoverResult} */
  const result = {
    protocolVersion: {
      current: version.current,
      minSupported: version.min_supported,
      maxSupported: version.max_supported,
      capabilities: {
        messagepack: capabilities.messagepack === true,
        streaming: capabilities.streaming === true,
        push: capabilities.push === true,
        discovery: capabilities.discovery === true,
      },
    },
  };
  if (Array.isArray(body.actors)) {
    result.actors = body.actors.map((/** @type {Record<string, any>} */ actor) => ({
      name: actor.name,
      messageTypes: Array.isArray(actor.message_types) ? actor.message_types : [],
    }));
  }
  if (Array.isArray(body.message_types)) result.messageTypes = body.message_types;
  return result;
}

/**
 * @param {unknown} value
 * @param {string} name
 * @returns {number}
 */
function checkTimeout(value, name) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_MS) {
    throw new RangeError(`${name} must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${preview(value)}`);
  }
  return value;
}

/**
 * @param {unknown} value
 * @param {string} name
 * @returns {string}
 */
function checkName(value, name) {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be a non-empty string, got ${preview(value)}`);
  }
  return value;
}

/**
 * @param {unknown} value
 * @param {string} name
 */
function checkBoolean(value, name) {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${preview(value)}`);
}

/**
 * @param {unknown} types
 * @returns {string[]}
 */
function checkTypes(types) {
  const list = typeof types === 'string' ? [types] : types;
  if (!Array.isArray(list)) {
    throw new TypeError(`message types must be a string or an array of strings, got ${preview(types)}`);
  }
  list.forEach((type, i) => checkName(type, `message type #${i}`));
  return [...list];
}

/** @param {number} byte @returns {string} */
function hex(byte) {
  return byte.toString(16).padStart(2, '0');
}

/**
 * Short description of a value for error messages.
 * @param {unknown} value
 * @returns {string}
 */
function preview(value) {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function' || typeof value === 'symbol') return typeof value;
  let text;
  try {
    text = JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

module.exports = { Client, DEFAULT_TIMEOUT_MS };
