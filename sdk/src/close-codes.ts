import { ClientErrorCode, EventgraphError, type EventgraphErrorCode } from './errors';

/**
 * Why a subscription socket closed, as a typed error: every close code of the
 * graphql-ws protocol (graphql-ws's `CloseCode`, plus 4499 for a socket the
 * client terminated) and the WebSocket ones a browser or `ws` reports.
 */
interface CloseMeaning {
  code: EventgraphErrorCode;
  /** what a person reads */
  says: string;
}

const MEANINGS: Record<number, CloseMeaning> = {
  // graphql-ws
  4400: { code: ClientErrorCode.PROTOCOL_ERROR, says: 'the server refused a message of this client (Bad Request)' },
  4401: { code: 'UNAUTHENTICATED', says: 'the credential is no longer valid; sign in again' },
  4403: { code: 'UNAUTHENTICATED', says: 'the server refused the credential' },
  4406: { code: ClientErrorCode.PROTOCOL_ERROR, says: 'the server does not speak the graphql-transport-ws subprotocol' },
  4408: { code: ClientErrorCode.TIMEOUT, says: 'the connection was not initialised in time' },
  4409: { code: ClientErrorCode.PROTOCOL_ERROR, says: 'two subscriptions used the same id' },
  4429: { code: ClientErrorCode.PROTOCOL_ERROR, says: 'the connection was initialised twice' },
  4499: { code: ClientErrorCode.CONNECTION_CLOSED, says: 'the socket was terminated' },
  // Eventgraph's gateway
  4413: { code: 'SLOW_SUBSCRIBER', says: 'the client left more unread than the gateway holds; what it had not read was dropped' },
  4500: { code: 'INTERNAL_SERVER_ERROR', says: 'the server failed' },
  4004: { code: ClientErrorCode.BAD_RESPONSE, says: 'the server sent a message that is not graphql-ws' },
  4005: { code: ClientErrorCode.PROTOCOL_ERROR, says: 'the client failed while handling the connection' },
  4504: { code: ClientErrorCode.TIMEOUT, says: 'the server did not acknowledge the connection in time' },
  // WebSocket (RFC 6455 and the IANA registry)
  1000: { code: ClientErrorCode.CONNECTION_CLOSED, says: 'the server closed the connection' },
  1001: { code: ClientErrorCode.CONNECTION_CLOSED, says: 'the server is going away (restart or shutdown)' },
  1002: { code: ClientErrorCode.PROTOCOL_ERROR, says: 'WebSocket protocol error' },
  1003: { code: ClientErrorCode.PROTOCOL_ERROR, says: 'the server cannot accept this kind of data' },
  1005: { code: ClientErrorCode.CONNECTION_CLOSED, says: 'the connection closed without a status' },
  1006: { code: ClientErrorCode.NETWORK_ERROR, says: 'the connection was lost' },
  1007: { code: ClientErrorCode.PROTOCOL_ERROR, says: 'a message was not valid UTF-8' },
  1008: { code: 'FORBIDDEN', says: 'the server refused the connection by policy' },
  1009: { code: ClientErrorCode.PROTOCOL_ERROR, says: 'a message was too big' },
  1011: { code: 'INTERNAL_SERVER_ERROR', says: 'the server failed' },
  1012: { code: ClientErrorCode.CONNECTION_CLOSED, says: 'the server is restarting' },
  1013: { code: ClientErrorCode.CONNECTION_CLOSED, says: 'the server is overloaded; try again later' },
  1014: { code: 'SUBGRAPH_UNAVAILABLE', says: 'a gateway in between got no answer (Bad Gateway)' },
  1015: { code: ClientErrorCode.NETWORK_ERROR, says: 'the TLS handshake failed' },
};

/**
 * Closes that a later connection attempt may not repeat, so worth reconnecting for. graphql-ws
 * itself never retries the fatal ones (4400, 4401, 4406, 4409, 4429, 4500, 4004, 4005 and the
 * 1xxx codes other than 1000, 1001, 1005, 1006, 1012, 1013, 1014); of the rest, a refused
 * credential (4403) is not retried here either. A slow subscriber (4413) was most likely stalled
 * for a while (a backgrounded app, a congested link), as 4499's socket probably froze.
 */
export const RETRYABLE_CLOSES = new Set([1000, 1001, 1005, 1006, 1012, 1013, 1014, 4408, 4413, 4499, 4504]);

export interface CloseEventLike {
  code: number;
  reason: string;
}

export function isCloseEvent(value: unknown): value is CloseEventLike {
  return typeof value === 'object' && value !== null && typeof (value as CloseEventLike).code === 'number' && 'reason' in value;
}

/** The typed error for a closed socket; the reason the server gave (e.g. SESSION_REVOKED) is kept as `extensions.reason`. */
export function closeError(event: CloseEventLike, wsUrl: string): EventgraphError {
  const meaning: CloseMeaning = MEANINGS[event.code] ?? {
    code: event.code >= 4000 ? ClientErrorCode.CONNECTION_CLOSED : ClientErrorCode.NETWORK_ERROR,
    says: 'the connection closed',
  };
  const reason = event.reason || undefined;
  const message = `${meaning.says} (${wsUrl} closed with ${event.code}${reason ? ` ${reason}` : ''})`;
  return new EventgraphError(message, {
    code: meaning.code,
    closeCode: event.code,
    errors: [{ message, extensions: { code: meaning.code, closeCode: event.code, ...(reason ? { reason } : {}) } }],
    cause: event,
  });
}
