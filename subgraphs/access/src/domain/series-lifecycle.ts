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

/** A recurring parent is a template for its children: it is only ever a draft, or cancelled. */
export function checkTemplateTransition(to: SeriesStatus) {
  return to === 'CANCELLED'
    ? ({ ok: true } as const)
    : ({
        ok: false,
        code: 'ILLEGAL_TRANSITION',
        message: `a recurring parent is a template and cannot become ${to}; schedule its generated series instead`,
      } as const);
}

export interface SchedulableSeries {
  status: SeriesStatus;
  checkInOpensAt: Date;
  endsAt: Date;
  isTemplate: boolean;
}

export type Step = { from: SeriesStatus; to: SeriesStatus };

/**
 * What the scheduler does to a series at `now`: a scheduled series becomes
 * active once its check-in window has opened, an active one completes once it
 * has ended; one found scheduled after its end goes through both steps, so the
 * log shows each. Drafts and templates are never touched.
 */
export function scheduledSteps(series: SchedulableSeries, now: Date): Step[] {
  if (series.isTemplate) return [];
  const ended = series.endsAt <= now;
  if (series.status === 'SCHEDULED') {
    if (ended)
      return [
        { from: 'SCHEDULED', to: 'ACTIVE' },
        { from: 'ACTIVE', to: 'COMPLETED' },
      ];
    return series.checkInOpensAt <= now ? [{ from: 'SCHEDULED', to: 'ACTIVE' }] : [];
  }
  if (series.status === 'ACTIVE' && ended) return [{ from: 'ACTIVE', to: 'COMPLETED' }];
  return [];
}
