/** Retrying requests the API refused with RATE_LIMITED, or as a whole with OVERLOADED (HTTP 503). */
export interface RateLimitRetryOptions {
  /** retries of one request; default 3 */
  maxRetries?: number;
  /** a request the server asks to delay longer than this fails at once with its code; default 60 s */
  maxWaitMs?: number;
  /** the back-off's first step when the server names no wait; doubled for each retry; default 500 ms */
  baseDelayMs?: number;
}

/**
 * How long to wait before retry `attempt` (0-based), or undefined to give up: at least what the
 * server asked for (Retry-After), else exponential back-off; plus up to 20 % jitter so clients
 * refused together do not come back together.
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: RateLimitRetryOptions,
  random = Math.random,
): number | undefined {
  const { maxRetries = 3, maxWaitMs = 60_000, baseDelayMs = 500 } = options;
  if (attempt >= maxRetries) return undefined;
  const wait = retryAfterMs ?? baseDelayMs * 2 ** attempt;
  if (wait > maxWaitMs) return undefined;
  return Math.round(wait * (1 + 0.2 * random()));
}

/** Waits `ms`; rejects early when the client closes (with `closed()`) or the caller aborts (with its reason). */
export function sleep(ms: number, closing: AbortSignal, signal: AbortSignal | undefined, closed: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      closing.removeEventListener('abort', stop);
      signal?.removeEventListener('abort', stop);
      reject(signal?.aborted ? signal.reason : closed());
    };
    const timer = setTimeout(() => {
      closing.removeEventListener('abort', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    if (closing.aborted || signal?.aborted) return stop();
    closing.addEventListener('abort', stop);
    signal?.addEventListener('abort', stop);
  });
}
