import { checkTransition, type Transitions } from '@eventgraph/runtime';

export type FetchRunStatus = 'RUNNING' | 'SUCCEEDED' | 'PARTIAL' | 'FAILED';

/** A fetch run starts running and ends once: successfully, with some records refused, or not at all. */
export const FETCH_RUN_TRANSITIONS: Transitions<FetchRunStatus> = {
  RUNNING: ['SUCCEEDED', 'PARTIAL', 'FAILED'],
  SUCCEEDED: [],
  PARTIAL: [],
  FAILED: [],
};

export const checkFetchRunTransition = (from: FetchRunStatus, to: FetchRunStatus) =>
  checkTransition('fetch run', FETCH_RUN_TRANSITIONS, from, to);

/** What a run counted, each record once (see the staging counts; `duplicate` is a subset of new and updated). */
export interface RunCounts {
  found: number;
  new: number;
  updated: number;
  unchanged: number;
  duplicate: number;
  rejected: number;
  removed: number;
}

export const emptyRunCounts = (): RunCounts => ({
  found: 0,
  new: 0,
  updated: 0,
  unchanged: 0,
  duplicate: 0,
  rejected: 0,
  removed: 0,
});

/** How a run that got through its feed ended: PARTIAL when some records were refused. */
export const finishedStatus = (counts: RunCounts): 'SUCCEEDED' | 'PARTIAL' => (counts.rejected > 0 ? 'PARTIAL' : 'SUCCEEDED');
