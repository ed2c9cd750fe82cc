import { ErrorCode, isEventgraphError } from '@eventgraph/sdk';
import { SiteConfigError } from './site';

/** What a visitor is told when something fails: what happened, and what they (or the site's operator) can do. */
export interface Problem {
  /** the SDK's typed code (or SITE_CONFIG), kept on the page for support requests */
  code: string;
  title: string;
  detail: string;
}

export function describeProblem(err: unknown): Problem {
  if (err instanceof SiteConfigError) return { code: 'SITE_CONFIG', title: 'This site is not set up yet', detail: err.message };
  if (!isEventgraphError(err)) return { code: 'UNKNOWN', title: 'Something went wrong', detail: String(err) };
  switch (err.code) {
    case ErrorCode.UNAUTHENTICATED:
      return {
        code: err.code,
        title: "This site's access key was refused",
        detail:
          "The event service does not accept the key this site uses (it may have been revoked). Please tell the site's operator.",
      };
    case ErrorCode.FORBIDDEN:
      return { code: err.code, title: 'Not available on this site', detail: err.message };
    case ErrorCode.NETWORK_ERROR:
      return {
        code: err.code,
        title: 'The event service cannot be reached',
        detail: 'Check your connection, then try again.',
      };
    case ErrorCode.TIMEOUT:
      return { code: err.code, title: 'The event service is taking too long', detail: 'Please try again in a moment.' };
    case ErrorCode.RATE_LIMITED: {
      const seconds = err.retryAfterMs ? Math.ceil(err.retryAfterMs / 1000) : undefined;
      return {
        code: err.code,
        title: 'Too many requests right now',
        detail: seconds ? `Please try again in ${seconds} second${seconds === 1 ? '' : 's'}.` : 'Please try again shortly.',
      };
    }
    case ErrorCode.BAD_USER_INPUT:
      return { code: err.code, title: 'Please check the search', detail: err.message };
    // the partner app runs registered operations only, and this site's are not (all) registered with it
    case 'UNTRUSTED_OPERATION':
    case 'PERSISTED_QUERY_NOT_FOUND':
      return {
        code: err.code,
        title: "This site's requests are not registered",
        detail: "The partner app accepts registered operations only. Please tell the site's operator.",
      };
    case ErrorCode.CONNECTION_CLOSED:
      return { code: err.code, title: 'Live updates stopped', detail: 'Reload the page to see the latest changes.' };
    default:
      return { code: err.code, title: 'Something went wrong', detail: err.message };
  }
}
