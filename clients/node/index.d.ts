// Type declarations for troupe-ipc, the Node.js client of troupe's IPC server
// (acton-reactive IPC protocol v2).

/// <reference types="node" />

import { EventEmitter } from 'node:events';

/** Payload format of the frames a client sends. */
export type FormatName = 'json' | 'msgpack';

/** Options of {@link Client.connect}. */
export interface ConnectOptions {
  /** Socket path. Default: TROUPE_IPC_SOCKET, else the default path of `app`. */
  path?: string;
  /** Application name, for its default socket path. */
  app?: string;
  /** Payload format of every frame this client sends (default 'json'). */
  format?: FormatName;
  /** Milliseconds allowed for connecting, and the default timeout of each call (default 30000). */
  timeout?: number;
}

/** Options of calls that wait for one answer. */
export interface CallOptions {
  /** Milliseconds to wait for the answer (default: the client's timeout). */
  timeout?: number;
}

/** Options of {@link Client.request} and {@link Client.stream}. */
export interface RequestOptions extends CallOptions {
  /**
   * response_timeout_ms told to the server (default: `timeout`). When the server
   * gives up first, the call rejects with the server's TimeoutError.
   */
  responseTimeoutMs?: number;
}

/** Options of {@link Client.discover}. */
export interface DiscoverOptions extends CallOptions {
  /** List the exposed actors (default true). */
  includeActors?: boolean;
  /** List the registered message types (default true). */
  includeMessageTypes?: boolean;
}

/** A broadcast of a message type this connection subscribed to. */
export interface Push {
  /** Unique id of this notification. */
  notificationId: string;
  /** The broadcast message type. */
  messageType: string;
  /** The actor that broadcast it, when the server says. */
  sourceActor: string | undefined;
  /** The broadcast message. */
  payload: unknown;
  /** When it was sent, in Unix milliseconds. */
  timestampMs: number;
}

/** What the server says about its protocol. */
export interface ProtocolVersionInfo {
  current: number;
  minSupported: number;
  maxSupported: number;
  capabilities: {
    messagepack: boolean;
    streaming: boolean;
    push: boolean;
    discovery: boolean;
  };
}

/** An exposed actor. */
export interface ActorInfo {
  name: string;
  /** Message types this actor handles. */
  messageTypes: string[];
}

/** Answer of {@link Client.discover}. */
export interface DiscoverResult {
  protocolVersion: ProtocolVersionInfo;
  /** Exposed actors sorted by name; absent when not asked for. */
  actors?: ActorInfo[];
  /** Registered message types, sorted; absent when not asked for. */
  messageTypes?: string[];
}

/**
 * Items of one streamed reply, in order. Iterate it once with `for await`;
 * leaving the loop early stops delivery.
 */
export class ReplyStream<T = unknown> implements AsyncIterableIterator<T> {
  private constructor();
  /** Correlation id of the stream request (undefined if it could not be sent). */
  correlationId: string | undefined;
  /** Whether no more items will arrive (ended, failed or cancelled). */
  readonly finished: boolean;
  [Symbol.asyncIterator](): this;
  /** Next item; `{done: true}` at the end; rejects with the error the stream failed with. */
  next(): Promise<IteratorResult<T, undefined>>;
  /** Stops the iteration (what `break` calls). */
  return(): Promise<IteratorResult<T, undefined>>;
  /** Reads the whole stream. */
  toArray(): Promise<T[]>;
}

/** Events of a {@link Client}. */
export interface ClientEvents {
  /** A broadcast of a subscribed message type. */
  push: [push: Push];
  /** The connection is closed; `reason` is set unless close() was called or the server closed cleanly. */
  close: [reason: Error | undefined];
  /** An error frame answering no call of this client (e.g. correlation id "unknown"), or an unusable frame. */
  serverError: [error: IpcError];
}

/**
 * A connection to one troupe IPC server. Many calls may be in flight at once;
 * answers are matched to calls by correlation id.
 */
export class Client extends EventEmitter {
  /** Use {@link Client.connect}. */
  private constructor();

  /**
   * Connects to a server. Resolves once the server answered a heartbeat; a refused
   * connection rejects with the server's error (ConnectionLimitReachedError, PermissionDeniedError).
   * @throws IoError when nothing can be reached at the path; TimeoutError when connecting takes too long
   */
  static connect(options?: ConnectOptions): Promise<Client>;

  /** Socket path of this connection. */
  readonly path: string;
  /** Payload format of the frames this client sends. */
  readonly format: FormatName;
  /** Default timeout of each call, in ms. */
  readonly timeout: number;
  /** Whether the connection is closed (or closing). */
  readonly closed: boolean;
  /** Number of calls waiting for an answer. */
  readonly pendingCount: number;

  /**
   * Sends a message and waits for the handler's reply.
   * @returns the reply payload (null for a handler without reply)
   */
  request<R = unknown>(target: string, messageType: string, payload?: unknown, options?: RequestOptions): Promise<R>;

  /** Sends a message without waiting for the handler; resolves once it is in the actor's mailbox. */
  fireAndForget(target: string, messageType: string, payload?: unknown, options?: CallOptions): Promise<void>;

  /**
   * Sends a message whose handler answers with a stream; `timeout` bounds the wait
   * for each next frame.
   */
  stream<T = unknown>(target: string, messageType: string, payload?: unknown, options?: RequestOptions): ReplyStream<T>;

  /** Subscribes to broadcasts; resolves with every type this connection is subscribed to now, sorted. */
  subscribe(types: string | readonly string[], options?: CallOptions): Promise<string[]>;

  /** Unsubscribes; resolves with every type this connection is still subscribed to, sorted. */
  unsubscribe(types: string | readonly string[], options?: CallOptions): Promise<string[]>;

  /** Registers a push listener (same as `on('push', callback)`); returns a function removing it. */
  onPush(callback: (push: Push) => void): () => void;

  /** Asks the server what it exposes. */
  discover(options?: DiscoverOptions): Promise<DiscoverResult>;

  /** Sends a heartbeat; resolves with the round-trip time in milliseconds. */
  heartbeat(options?: CallOptions): Promise<number>;

  /** Closes the connection; calls still waiting reject with ConnectionClosedError. Safe to call twice. */
  close(): Promise<void>;

  on<E extends keyof ClientEvents>(event: E, listener: (...args: ClientEvents[E]) => void): this;
  once<E extends keyof ClientEvents>(event: E, listener: (...args: ClientEvents[E]) => void): this;
  off<E extends keyof ClientEvents>(event: E, listener: (...args: ClientEvents[E]) => void): this;
  addListener<E extends keyof ClientEvents>(event: E, listener: (...args: ClientEvents[E]) => void): this;
  removeListener<E extends keyof ClientEvents>(event: E, listener: (...args: ClientEvents[E]) => void): this;
  emit<E extends keyof ClientEvents>(event: E, ...args: ClientEvents[E]): boolean;
}

/** Shorthand for {@link Client.connect}. */
export function connect(options?: ConnectOptions): Promise<Client>;

/** Default of every timeout, in milliseconds (30000). */
export const DEFAULT_TIMEOUT_MS: number;

/** 'TROUPE_IPC_SOCKET': environment variable holding a socket path that overrides the default. */
export const SOCKET_ENV_VAR: 'TROUPE_IPC_SOCKET';

/**
 * The default socket path of an application: `$XDG_RUNTIME_DIR/troupe/<app>.sock`,
 * else `/tmp/troupe-<uid>/<app>.sock`. Does not look at TROUPE_IPC_SOCKET.
 */
export function defaultSocketPath(app: string, env?: NodeJS.ProcessEnv): string;

/** The socket to connect to: `path`; else TROUPE_IPC_SOCKET; else the default path of `app`. */
export function resolveSocketPath(options?: { path?: string; app?: string }, env?: NodeJS.ProcessEnv): string;

/** Error codes (CONNECTION_CLOSED and IO_ERROR are raised by the client itself). */
export const ErrorCode: {
  readonly UNKNOWN_MESSAGE_TYPE: 'UNKNOWN_MESSAGE_TYPE';
  readonly ACTOR_NOT_FOUND: 'ACTOR_NOT_FOUND';
  readonly SERIALIZATION_ERROR: 'SERIALIZATION_ERROR';
  readonly TARGET_BUSY: 'TARGET_BUSY';
  readonly CONNECTION_CLOSED: 'CONNECTION_CLOSED';
  readonly PROTOCOL_ERROR: 'PROTOCOL_ERROR';
  readonly IO_ERROR: 'IO_ERROR';
  readonly TIMEOUT: 'TIMEOUT';
  readonly RATE_LIMITED: 'RATE_LIMITED';
  readonly SHUTTING_DOWN: 'SHUTTING_DOWN';
  readonly UNSUPPORTED_PROTOCOL_VERSION: 'UNSUPPORTED_PROTOCOL_VERSION';
  readonly CONNECTION_LIMIT_REACHED: 'CONNECTION_LIMIT_REACHED';
  readonly HANDLER_FAILED: 'HANDLER_FAILED';
  readonly PERMISSION_DENIED: 'PERMISSION_DENIED';
};

/** Options of the error constructors. */
export interface IpcErrorOptions {
  /** Error code (defaults to the class's code). */
  code?: string;
  /** Id of the request the error answers. */
  correlationId?: string;
  /** Underlying error. */
  cause?: unknown;
}

/** Base class of every error the client raises; errors with an unknown code use it directly. */
export class IpcError extends Error {
  /** Code given to instances of this class. */
  static readonly code: string;
  constructor(message: string, options?: IpcErrorOptions);
  /** The error code, e.g. 'ACTOR_NOT_FOUND'. */
  code: string;
  /** Correlation id of the call it answers, when there is one. */
  correlationId: string | undefined;
}
/** The target is not exposed, or it is dead. */
export class ActorNotFoundError extends IpcError {}
/** The target does not handle that message type. */
export class UnknownMessageTypeError extends IpcError {}
/** A payload does not fit its message type, or bytes are not valid JSON/MessagePack. */
export class SerializationError extends IpcError {}
/** The target's mailbox is full. */
export class TargetBusyError extends IpcError {}
/** The connection closed while the call was pending, or before it was sent. */
export class ConnectionClosedError extends IpcError {}
/** A frame broke the protocol (bad header byte, too large, malformed envelope). */
export class ProtocolError extends IpcError {}
/** A socket error (could not connect, read or write). */
export class IoError extends IpcError {}
/** No answer in time (the server's response_timeout_ms, or the client's own timer). */
export class TimeoutError extends IpcError {}
/** The server's rate limiter refused the request. */
export class RateLimitedError extends IpcError {
  /** How long the server asked to wait before retrying, when its message says so. */
  retryAfterMs: number | undefined;
}
/** The server is stopping and refuses new requests. */
export class ShuttingDownError extends IpcError {}
/** The server does not speak the frame's protocol version. */
export class UnsupportedProtocolVersionError extends IpcError {}
/** The server refused the connection: too many connections. */
export class ConnectionLimitReachedError extends IpcError {}
/** The handler threw, or the actor crashed while handling the message. */
export class HandlerFailedError extends IpcError {}
/** The server's authorisation hook refused this peer. */
export class PermissionDeniedError extends IpcError {}

/** The error for a code received from the server (unknown codes give an IpcError with that code). */
export function errorFromCode(code: unknown, message: unknown, correlationId?: string): IpcError;

/** The MessagePack codec used for the 'msgpack' format. */
export const msgpack: {
  /**
   * Encodes a value: safe integers in the smallest integer format, other numbers as
   * float64, BigInt within 64 bits, Buffer/Uint8Array/ArrayBuffer as bin, Map and
   * plain objects as maps (undefined members left out), toJSON() results.
   * @throws SerializationError for values MessagePack cannot hold
   */
  encode(value: unknown): Buffer;
  /**
   * Decodes exactly one value: maps to plain objects (scalar keys as strings), bin to
   * Buffer, 64-bit integers outside the safe range to BigInt.
   * @throws SerializationError on truncated input, trailing bytes, ext types, invalid bytes
   */
  decode(input: Uint8Array): unknown;
};

/** A decoded frame. */
export interface Frame {
  /** 1 or 2. */
  version: number;
  /** Message type byte. */
  type: number;
  /** Format byte (JSON for version 1). */
  format: number;
  payload: Buffer;
}

/** Frame-level building blocks. */
export const protocol: {
  readonly PROTOCOL_VERSION: 2;
  /** Size of a v2 header (7). */
  readonly HEADER_SIZE: 7;
  /** Hard limit on a payload (16 MiB). */
  readonly MAX_FRAME_SIZE: number;
  readonly MessageType: {
    readonly REQUEST: 0x01;
    readonly RESPONSE: 0x02;
    readonly ERROR: 0x03;
    readonly HEARTBEAT: 0x04;
    readonly PUSH: 0x05;
    readonly SUBSCRIBE: 0x06;
    readonly UNSUBSCRIBE: 0x07;
    readonly DISCOVER: 0x08;
    readonly STREAM: 0x09;
  };
  readonly Format: {
    readonly JSON: 0x01;
    readonly MSGPACK: 0x02;
  };
  /**
   * Builds a frame (version 2 by default; 1 for the 6-byte JSON-only header).
   * @throws ProtocolError when the payload is over 16 MiB
   */
  encodeFrame(messageType: number, format: number, payload: Uint8Array, version?: 1 | 2): Buffer;
  /** Splits a byte stream into frames; after it throws, drop the connection. */
  FrameDecoder: {
    new (options?: { maxFrameSize?: number }): {
      readonly maxFrameSize: number;
      /** Bytes received that do not yet form a complete frame. */
      readonly bufferedBytes: number;
      /**
       * Consumes a chunk; returns the frames it completed.
       * @throws ProtocolError on an unknown version or format byte, or a frame over the limit
       */
      push(chunk: Uint8Array): Frame[];
    };
  };
  /** Serialises a payload in a format (byte). @throws SerializationError */
  encodePayload(format: number, value: unknown): Buffer;
  /** Parses a payload; an empty one gives undefined. @throws SerializationError */
  decodePayload(format: number, payload: Buffer): unknown;
};
