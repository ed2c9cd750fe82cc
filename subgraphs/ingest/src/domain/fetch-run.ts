import { checkTransition, type Transitions } from '@eventgraph/runtime';

export type FetchRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** A fetch run starts running and ends once, successfully or not. */
export const FETCH_RUN_TRANSITIONS: Transitions<FetchRunStatus> = {
  RUNNING: ['SUCCEEDED', 'FAILED'],
  SUCCEEDED: [],
  FAILED: [],
};

export const checkFetchRunTransition = (from: FetchRunStatus, to: FetchRunStatus) =>
  checkTransition('fetch run', FETCH_RUN_TRANSITIONS, from, to);

/** Sources are fetched over http(s) only: no file:// or internal schemes reach the fetcher. */
export function isFetchableUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
