import { checkTransition, type Transitions } from '@eventgraph/runtime';

export type SeriesStatus = 'DRAFT' | 'SCHEDULED' | 'ACTIVE' | 'COMPLETED' | 'CANCELLED';

/** draft → scheduled → active → completed; cancelled from any status that is not final. */
export const SERIES_TRANSITIONS: Transitions<SeriesStatus> = {
  DRAFT: ['SCHEDULED', 'CANCELLED'],
  SCHEDULED: ['ACTIVE', 'CANCELLED'],
  ACTIVE: ['COMPLETED', 'CANCELLED'],
  COMPLETED: [],
  CANCELLED: [],
};

export const checkSeriesTransition = (from: SeriesStatus, to: SeriesStatus) =>
  checkTransition('series', SERIES_TRANSITIONS, from, to);
