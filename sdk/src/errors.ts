import { ApiErrorCode } from './generated/error-codes';

export { ApiErrorCode, ResultCode, apiErrorMeaning } from './generated/error-codes';

/** One error as the API reports it (the GraphQL response's `errors[]`). */
export interface EventgraphGraphQLError {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions?: Record<string, unknown> & { code?: string };
}

/** Codes this client gives failures that have no GraphQL answer to read. */
export const ClientErrorCode = {
  /** the server could not be reached, or the connection broke */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** no answer within the client's `timeoutMs` (or the socket's connection handshake timed out) */
  TIMEOUT: 'TIMEOUT',
  /** the server answered with something that is not a GraphQL response */
  BAD_RESPONSE: 'BAD_RESPONSE',
  /** the subscription socket closed and will not be reopened (retries used up, or closed for good) */
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  /** the server closed the socket for a graphql-ws protocol violation (4400, 4406, 4409, 4429): a client bug */
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
  /** the client was closed while the operation was running, or used after close() */
  CLIENT_CLOSED: 'CLIENT_CLOSED',
  /** an error without a code, or with one this version of the SDK does not know (see `errors[0].extensions.code`) */
  UNKNOWN: 'UNKNOWN',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** Every code an EventgraphError can have: the API's (generated from its registry) and the client's own. */
export const ErrorCode = { ...ApiErrorCode, ...ClientErrorCode } as const;
/** A closed union: `switch (err.code)` is checked for exhaustiveness. */
export type EventgraphErrorCode = ApiErrorCode | ClientErrorCode;
/** @deprecated same as EventgraphErrorCode */
export type KnownErrorCode = EventgraphErrorCode;

const KNOWN = new Set<string>(Object.values(ErrorCode));
/** `code` if it is one of the closed set, else UNKNOWN (a newer server's code stays readable in `errors`). */
export const knownCode = (code: unknown): EventgraphErrorCode =>
  typeof code === 'string' && KNOWN.has(code) ? (code as EventgraphErrorCode) : ClientErrorCode.UNKNOWN;

export interface EventgraphErrorOptions<TData> {
  code?: EventgraphErrorCode;
  errors?: readonly EventgraphGraphQLError[];
  data?: TData | null;
  /** HTTP status, when the error came from an HTTP response */
  status?: number;
  /** WebSocket close code, when the error came from a closed subscription socket */
  closeCode?: number;
  /** how long the server asked to wait before retrying (RATE_LIMITED, OVERLOADED) */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * What `request` throws and subscriptions end with: every GraphQL error of the
 * response (`errors`), the first one's `code`/`path`/`message` at hand, and
 * whatever partial `data` came with them.
 */
export class EventgraphError<TData = unknown> extends Error {
  override readonly name = 'EventgraphError';
  /** the first error's extensions.code, or a client-side code (NETWORK_ERROR, TIMEOUT, …) */
  readonly code: EventgraphErrorCode;
  /** path of the first error in the response, when it is tied to a field */
  readonly path?: ReadonlyArray<string | number>;
  /** all errors of the response; a single synthesized one for client-side failures */
  readonly errors: readonly EventgraphGraphQLError[];
  /** partial data delivered with the errors (null or undefined when there was none) */
  readonly data?: TData | null;
  readonly status?: number;
  readonly closeCode?: number;
  /** RATE_LIMITED, OVERLOADED: the wait the server asked for (Retry-After, extensions.retryAfterSeconds) */
  readonly retryAfterMs?: number;
  /** the first error's extensions.reason, e.g. TOKEN_EXPIRED, SESSION_REVOKED, INVALID_CREDENTIAL for UNAUTHENTICATED */
  readonly reason?: string;

  constructor(message: string, options: EventgraphErrorOptions<TData> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const errors = options.errors?.length
      ? options.errors
      : [{ message, extensions: { code: options.code ?? ClientErrorCode.UNKNOWN } }];
    this.errors = errors;
    this.code = options.code ?? knownCode(errors[0]?.extensions?.code);
    if (errors[0]?.path) this.path = errors[0].path;
    const reason = errors[0]?.extensions?.reason;
    if (typeof reason === 'string') this.reason = reason;
    if (options.data !== undefined) this.data = options.data;
    if (options.status !== undefined) this.status = options.status;
    if (options.closeCode !== undefined) this.closeCode = options.closeCode;
    const retryAfterMs = options.retryAfterMs ?? retryAfterOf(errors[0]);
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }

  /** An error from a GraphQL response's `errors` (and `data`, if any). */
  static fromResponse<TData>(
    errors: readonly EventgraphGraphQLError[],
    data?: TData | null,
    status?: number,
    retryAfterMs?: number,
  ): EventgraphError<TData> {
    const first = errors[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
    return new EventgraphError<TData>(`${first?.message ?? 'GraphQL error'}${more}`, {
      errors,
      data,
      status,
      retryAfterMs,
      code: knownCode(first?.extensions?.code),
    });
  }

  /** every error of the response with this code */
  errorsWithCode(code: EventgraphErrorCode): EventgraphGraphQLError[] {
    return this.errors.filter((e) => knownCode(e.extensions?.code) === code);
  }
}

/** `err` is an EventgraphError, optionally with this code. */
export function isEventgraphError<C extends EventgraphErrorCode>(err: unknown, code?: C): err is EventgraphError & { code: C } {
  return err instanceof EventgraphError && (code === undefined || err.code === code);
}

function retryAfterOf(error: EventgraphGraphQLError | undefined): number | undefined {
  const seconds = error?.extensions?.retryAfterSeconds;
  return typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : undefined;
}
