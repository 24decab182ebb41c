'use strict';

/**
 * troupe-ipc: Node.js client for troupe's IPC server
 * (compatible with the acton-reactive IPC protocol v2).
 *
 * @example
 * const { Client } = require('troupe-ipc');
 * const client = await Client.connect({ app: 'my-app' });
 * await client.request('my-service', 'SetValue', { key: 'a', value: 1 });
 * console.log(await client.request('my-service', 'GetValue', { key: 'a' })); // 1
 * await client.close();
 * @module troupe-ipc
 */

const { Client, DEFAULT_TIMEOUT_MS } = require('./lib/client');
const { ReplyStream } = require('./lib/reply-stream');
const { SOCKET_ENV_VAR, defaultSocketPath, resolveSocketPath } = require('./lib/socket-path');
const errors = require('./lib/errors');
const msgpack = require('./lib/msgpack');
const protocol = require('./lib/protocol');

/**
 * Shorthand for {@link Client.connect}.
 * @param {Parameters<typeof Client.connect>[0]} [options]
 * @returns {Promise<Client>}
 */
function connect(options) {
  return Client.connect(options);
}

module.exports = {
  Client,
  connect,
  ReplyStream,
  DEFAULT_TIMEOUT_MS,
  SOCKET_ENV_VAR,
  defaultSocketPath,
  resolveSocketPath,
  ErrorCode: errors.ErrorCode,
  IpcError: errors.IpcError,
  ActorNotFoundError: errors.ActorNotFoundError,
  UnknownMessageTypeError: errors.UnknownMessageTypeError,
  SerializationError: errors.SerializationError,
  TargetBusyError: errors.TargetBusyError,
  ConnectionClosedError: errors.ConnectionClosedError,
  ProtocolError: errors.ProtocolError,
  IoError: errors.IoError,
  TimeoutError: errors.TimeoutError,
  RateLimitedError: errors.RateLimitedError,
  ShuttingDownError: errors.ShuttingDownError,
  UnsupportedProtocolVersionError: errors.UnsupportedProtocolVersionError,
  ConnectionLimitReachedError: errors.ConnectionLimitReachedError,
  HandlerFailedError: errors.HandlerFailedError,
  PermissionDeniedError: errors.PermissionDeniedError,
  errorFromCode: errors.errorFromCode,
  msgpack: { encode: msgpack.encode, decode: msgpack.decode },
  protocol: {
    PROTOCOL_VERSION: protocol.PROTOCOL_VERSION,
    HEADER_SIZE: protocol.HEADER_SIZE,
    MAX_FRAME_SIZE: protocol.MAX_FRAME_SIZE,
    MessageType: protocol.MessageType,
    Format: protocol.Format,
    encodeFrame: protocol.encodeFrame,
    FrameDecoder: protocol.FrameDecoder,
    encodePayload: protocol.encodePayload,
    decodePayload: protocol.decodePayload,
  },
};
