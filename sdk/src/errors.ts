/** One error as the API reports it (the GraphQL response's `errors[]`). */
export interface EventgraphGraphQLError {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions?: Record<string, unknown> & { code?: string };
}

/**
 * Codes the platform puts in `extensions.code`, plus the ones this client
 * produces itself when there is no GraphQL answer to read. Other codes may
 * appear; `code` is typed as a string so they pass through.
 */
export const ErrorCode = {
  // from the platform
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
  RATE_LIMITED: 'RATE_LIMITED',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  /** a subscription ended because the caller lost a right while it ran: subscribe again (authorised against current rights) */
  PERMISSIONS_CHANGED: 'PERMISSIONS_CHANGED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // from this client
  /** the server could not be reached, or the connection failed */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** no answer within the client's `timeoutMs` */
  TIMEOUT: 'TIMEOUT',
  /** the server answered with something that is not a GraphQL response */
  BAD_RESPONSE: 'BAD_RESPONSE',
  /** the subscription socket closed for a reason other than the ones above */
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  /** the client was closed while the operation was running, or used after close() */
  CLIENT_CLOSED: 'CLIENT_CLOSED',
  /** an error without an extensions.code */
  UNKNOWN: 'UNKNOWN',
} as const;
export type KnownErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
/** a known code, or any other string the server sends (keeps editor completion for the known ones) */
export type EventgraphErrorCode = KnownErrorCode | (string & {});

export interface EventgraphErrorOptions<TData> {
  code?: EventgraphErrorCode;
  errors?: readonly EventgraphGraphQLError[];
  data?: TData | null;
  /** HTTP status, when the error came from an HTTP response */
  status?: number;
  /** WebSocket close code, when the error came from a closed subscription socket */
  closeCode?: number;
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

  constructor(message: string, options: EventgraphErrorOptions<TData> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const errors = options.errors?.length
      ? options.errors
      : [{ message, extensions: { code: options.code ?? ErrorCode.UNKNOWN } }];
    this.errors = errors;
    this.code = options.code ?? codeOf(errors[0]);
    if (errors[0]?.path) this.path = errors[0].path;
    if (options.data !== undefined) this.data = options.data;
    if (options.status !== undefined) this.status = options.status;
    if (options.closeCode !== undefined) this.closeCode = options.closeCode;
  }

  /** An error from a GraphQL response's `errors` (and `data`, if any). */
  static fromResponse<TData>(
    errors: readonly EventgraphGraphQLError[],
    data?: TData | null,
    status?: number,
  ): EventgraphError<TData> {
    const first = errors[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
    return new EventgraphError<TData>(`${first?.message ?? 'GraphQL error'}${more}`, {
      errors,
      data,
      status,
      code: codeOf(first),
    });
  }

  /** every error of the response with this code */
  errorsWithCode(code: EventgraphErrorCode): EventgraphGraphQLError[] {
    return this.errors.filter((e) => codeOf(e) === code);
  }
}

/** `err` is an EventgraphError, optionally with this code. */
export function isEventgraphError(err: unknown, code?: EventgraphErrorCode): err is EventgraphError {
  return err instanceof EventgraphError && (code === undefined || err.code === code);
}

function codeOf(error: EventgraphGraphQLError | undefined): EventgraphErrorCode {
  const code = error?.extensions?.code;
  return typeof code === 'string' && code ? code : ErrorCode.UNKNOWN;
}
