// How the scanner reads the SDK's typed errors: keep scanning offline, stop for a refused credential, or report.
import { isEventgraphError, type EventgraphError } from '@eventgraph/sdk';

/** Exit statuses a script can act on (the BSD sysexits values). */
export const EXIT = {
  OK: 0,
  /** some scans could not be made (refused input, a refused upload set aside) */
  FAILED: 1,
  USAGE: 64,
  /** the gateway could not be reached when it had to be (provisioning) */
  UNAVAILABLE: 69,
  /** input ended while scans still waited offline: they stay queued for the next run */
  TEMPFAIL: 75,
  /** the provisioning token or the device credential was refused */
  NOPERM: 77,
} as const;

/** The scanner cannot go on; `message` is said to the person running it. */
export class ScannerStop extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * The gateway is out of reach or cannot answer now: the scan is kept offline and uploaded later. (A
 * timed-out scan may have been recorded after all; its upload carries the same scanId, so the server
 * answers DUPLICATE rather than counting it twice.)
 */
const UNREACHABLE = new Set(['NETWORK_ERROR', 'TIMEOUT', 'BAD_RESPONSE', 'SUBGRAPH_UNAVAILABLE', 'RATE_LIMITED']);
export const isUnreachable = (err: unknown): err is EventgraphError => isEventgraphError(err) && UNREACHABLE.has(err.code);

export const isCredentialRefused = (err: unknown): err is EventgraphError => isEventgraphError(err, 'UNAUTHENTICATED');

/** The stop for a device credential the gateway no longer accepts (revoked, or replaced by a newer one). */
export const credentialRefused = (err: EventgraphError, queued: number, queueFile: string) =>
  new ScannerStop(
    [
      `This scanner's credential was refused: ${err.message}.`,
      'The device was revoked or its credential replaced. Ask an administrator of the organisation to register it',
      'again, then run the scanner with --provision <new provisioning token>.',
      ...(queued ? [`${queued} offline scan${queued === 1 ? ' is' : 's are'} kept in ${queueFile} and uploaded then.`] : []),
    ].join('\n'),
    EXIT.NOPERM,
  );

/** A short explanation of any other error, for a line of output. */
export function explain(err: unknown): string {
  if (!isEventgraphError(err)) return err instanceof Error ? err.message : String(err);
  switch (err.code) {
    case 'NETWORK_ERROR':
      return `the gateway cannot be reached (${err.message})`;
    case 'TIMEOUT':
      return 'the gateway did not answer in time';
    case 'FORBIDDEN':
      return `not allowed: ${err.message}`;
    case 'NOT_FOUND':
      return `${err.message} (check --series and --gate)`;
    case 'BAD_USER_INPUT':
      return `refused: ${err.message}`;
    default:
      return `${err.message} [${err.code}]`;
  }
}
