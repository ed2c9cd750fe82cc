// Why a sync failed, as a closed set: each with a sentence for the person running it, whether polling may try
// again, and the exit status of `--once` (the BSD sysexits values, as the scanner uses).

export const EXIT = {
  OK: 0,
  USAGE: 64,
  /** the feed answered with something that is not iCalendar: the local file was kept */
  DATAERR: 65,
  /** no such feed (an unknown or private organisation, a malformed id) */
  NOINPUT: 66,
  /** the gateway could not be reached or could not answer now */
  UNAVAILABLE: 69,
  /** the local file could not be written */
  CANTCREAT: 73,
  /** a private feed URL that is no longer valid (regenerated, or its owner's access ended) */
  NOPERM: 77,
} as const;

export type SyncFailureReason =
  | 'NETWORK' // no answer at all (refused, reset, timed out)
  | 'UNAVAILABLE' // 5xx or 429: the gateway will answer later
  | 'NOT_FOUND' // 404 for a public feed
  | 'REVOKED' // 404/401/403 for a private feed
  | 'BAD_REQUEST' // 400: a malformed id or token in the URL
  | 'NOT_ICALENDAR' // 200 with a body a calendar cannot use
  | 'WRITE'; // the local file could not be replaced

const EXIT_OF: Record<SyncFailureReason, number> = {
  NETWORK: EXIT.UNAVAILABLE,
  UNAVAILABLE: EXIT.UNAVAILABLE,
  NOT_FOUND: EXIT.NOINPUT,
  REVOKED: EXIT.NOPERM,
  BAD_REQUEST: EXIT.NOINPUT,
  NOT_ICALENDAR: EXIT.DATAERR,
  WRITE: EXIT.CANTCREAT,
};

/** Polling tries these again (with back-off); the others will not change by waiting, so the program stops. */
const TRANSIENT: ReadonlySet<SyncFailureReason> = new Set(['NETWORK', 'UNAVAILABLE', 'NOT_ICALENDAR']);

export class SyncFailure extends Error {
  constructor(
    readonly reason: SyncFailureReason,
    message: string,
    /** the wait the server asked for (Retry-After), if any */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  get exitCode(): number {
    return EXIT_OF[this.reason];
  }

  get transient(): boolean {
    return TRANSIENT.has(this.reason);
  }
}

/** Bad command-line use: said once, exit 64. */
export class UsageError extends Error {}

/** The text of an error thrown by fetch or the file system, with its cause's code (ECONNREFUSED, …) when it has one. */
export function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message && !cause.message.includes(cause.code) ? ` ${cause.message}` : ''}`;
  return cause?.message ?? err.message;
}
