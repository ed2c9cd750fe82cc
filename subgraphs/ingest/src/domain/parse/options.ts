/** What every parser is told besides the bytes. */
export interface ParseOptions {
  /** the HTTP Content-Type (its charset is honoured when the body does not declare one) */
  contentType?: string;
  /** recurring events are expanded into the occurrences that overlap this window */
  horizon: { from: Date; to: Date };
  /** the source's kind-specific config (see config.ts); checked with configProblems */
  config?: unknown;
  /** the fetched URL: relative links are resolved against it */
  baseUrl?: string;
}
