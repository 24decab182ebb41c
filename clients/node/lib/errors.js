'use strict';

/**
 * Typed errors. Every failure the client reports is an {@link IpcError}; each
 * protocol error code has its own subclass so callers can use `instanceof`.
 * @module troupe-ipc/errors
 */

/** Error code strings used on the wire (CONNECTION_CLOSED and IO_ERROR are client-side). */
const ErrorCode = Object.freeze({
  UNKNOWN_MESSAGE_TYPE: 'UNKNOWN_MESSAGE_TYPE',
  ACTOR_NOT_FOUND: 'ACTOR_NOT_FOUND',
  SERIALIZATION_ERROR: 'SERIALIZATION_ERROR',
  TARGET_BUSY: 'TARGET_BUSY',
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
  IO_ERROR: 'IO_ERROR',
  TIMEOUT: 'TIMEOUT',
  RATE_LIMITED: 'RATE_LIMITED',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  UNSUPPORTED_PROTOCOL_VERSION: 'UNSUPPORTED_PROTOCOL_VERSION',
  CONNECTION_LIMIT_REACHED: 'CONNECTION_LIMIT_REACHED',
  HANDLER_FAILED: 'HANDLER_FAILED',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
});

/**
 * Base class of every error raised by the client. Errors with a code this
 * client does not know are reported with this class and that code.
 */
class IpcError extends Error {
  /** Code given to instances of this class unless the constructor is told otherwise. */
  static code = 'IPC_ERROR';

  /**
   * @param {string} message human-readable description
   * @param {object} [options]
   * @param {string} [options.code] error code (defaults to the class's code)
   * @param {string} [options.correlationId] id of the request it answers, if any
   * @param {unknown} [options.cause] underlying error
   */
  constructor(message, options = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    /** @type {string} */
    this.code = options.code !== undefined ? options.code : new.target.code;
    /** @type {string | undefined} */
    this.correlationId = options.correlationId;
  }
}

/** The target is not exposed by the server, or it is dead. */
class ActorNotFoundError extends IpcError {
  static code = ErrorCode.ACTOR_NOT_FOUND;
}

/** The target does not handle that message type. */
class UnknownMessageTypeError extends IpcError {
  static code = ErrorCode.UNKNOWN_MESSAGE_TYPE;
}

/** A payload does not fit its message type, or bytes are not valid JSON/MessagePack. */
class SerializationError extends IpcError {
  static code = ErrorCode.SERIALIZATION_ERROR;
}

/** The target's mailbox is full. */
class TargetBusyError extends IpcError {
  static code = ErrorCode.TARGET_BUSY;
}

/** The connection closed while the request was pending, or before it was sent. */
class ConnectionClosedError extends IpcError {
  static code = ErrorCode.CONNECTION_CLOSED;
}

/** A frame broke the protocol (bad header byte, too large, malformed envelope). */
class ProtocolError extends IpcError {
  static code = ErrorCode.PROTOCOL_ERROR;
}

/** A socket error (could not connect, read or write). */
class IoError extends IpcError {
  static code = ErrorCode.IO_ERROR;
}

/** No reply in time (from the server's response_timeout_ms or the client's own timer). */
class TimeoutError extends IpcError {
  static code = ErrorCode.TIMEOUT;
}

/** The server's rate limiter refused the request. */
class RateLimitedError extends IpcError {
  static code = ErrorCode.RATE_LIMITED;

  /** @param {string} message @param {object} [options] */
  constructor(message, options = {}) {
    super(message, options);
    const match = /retry after\s+(\d+)\s*ms/i.exec(String(message));
    /**
     * How long the server asked to wait before retrying, when its message says so.
     * @type {number | undefined}
     */
    this.retryAfterMs = match ? Number(match[1]) : undefined;
  }
}

/** The server is stopping and refuses new requests. */
class ShuttingDownError extends IpcError {
  static code = ErrorCode.SHUTTING_DOWN;
}

/** The server does not speak the frame's protocol version. */
class UnsupportedProtocolVersionError extends IpcError {
  static code = ErrorCode.UNSUPPORTED_PROTOCOL_VERSION;
}

/** The server refused the connection: too many connections. */
class ConnectionLimitReachedError extends IpcError {
  static code = ErrorCode.CONNECTION_LIMIT_REACHED;
}

/** The handler threw, or the actor crashed while handling the message. */
class HandlerFailedError extends IpcError {
  static code = ErrorCode.HANDLER_FAILED;
}

/** The server's authorisation hook refused this peer. */
class PermissionDeniedError extends IpcError {
  static code = ErrorCode.PERMISSION_DENIED;
}

/** Error class for each known code. @type {Readonly<Record<string, typeof IpcError>>} */
const ERROR_CLASSES = Object.freeze(
  Object.fromEntries(
    [
      ActorNotFoundError,
      UnknownMessageTypeError,
      SerializationError,
      TargetBusyError,
      ConnectionClosedError,
      ProtocolError,
      IoError,
      TimeoutError,
      RateLimitedError,
      ShuttingDownError,
      UnsupportedProtocolVersionError,
      ConnectionLimitReachedError,
      HandlerFailedError,
      PermissionDeniedError,
    ].map((cls) => [cls.code, cls]),
  ),
);

/**
 * Builds the error for a code received from the server: known codes get their
 * subclass, anything else an {@link IpcError} carrying the code as sent.
 * @param {unknown} code error_code from the server
 * @param {unknown} message error text from the server
 * @param {string} [correlationId]
 * @returns {IpcError}
 */
function errorFromCode(code, message, correlationId) {
  const known = typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CLASSES, code);
  const codeText = typeof code === 'string' && code !== '' ? code : 'UNKNOWN';
  const text = typeof message === 'string' && message !== '' ? message : `the server reported ${codeText} without a message`;
  if (known) return new ERROR_CLASSES[code](text, { correlationId });
  return new IpcError(text, { code: codeText, correlationId });
}

module.exports = {
  ErrorCode,
  IpcError,
  ActorNotFoundError,
  UnknownMessageTypeError,
  SerializationError,
  TargetBusyError,
  ConnectionClosedError,
  ProtocolError,
  IoError,
  TimeoutError,
  RateLimitedError,
  ShuttingDownError,
  UnsupportedProtocolVersionError,
  ConnectionLimitReachedError,
  HandlerFailedError,
  PermissionDeniedError,
  ERROR_CLASSES,
  errorFromCode,
};
