import { feedCredentialsOf, openCredentials } from '../credentials';
import { emptyRunCounts, finishedStatus } from '../domain/fetch-run';
import { nextPageUrl, SourceConfigError } from '../domain/parse';
import { FeedError } from '../domain/records';
import { fetchFeed, RateGate } from '../fetch';
import { markMissingRemoved } from '../staging';
import {
  closeAbandonedRuns,
  closeRun,
  loadRunSource,
  openRun,
  type RunEnding,
  type RunSource,
  type RunTrigger,
} from './run-rows';
import type { PipelineServices } from './services';
import { horizonOf, stageBody, type RunState } from './stage-body';

/** What a run answers with (a push or an upload gets it back as JSON). */
export interface RunSummary {
  fetchRunId: string;
  status: RunEnding['status'];
  counts: RunState['counts'];
  errorCode?: string;
  error?: string;
}

function newState(services: PipelineServices, runId: string): RunState {
  return {
    runId,
    counts: emptyRunCounts(),
    seenExternalIds: new Set(),
    problems: [],
    errorsRecorded: 0,
    horizon: horizonOf(services, new Date()),
  };
}

/**
 * The failure a run records: a FeedError's or a bad config's own code and message; anything else is ours, logged
 * with its stack and recorded only as INTERNAL_ERROR (a run's error is shown to the source's operators).
 */
function failureOf(
  services: PipelineServices,
  runId: string,
  err: unknown,
): Pick<RunEnding, 'errorCode' | 'error' | 'httpStatus'> {
  if (err instanceof FeedError)
    return { errorCode: err.code, error: err.message, ...(err.httpStatus ? { httpStatus: err.httpStatus } : {}) };
  if (err instanceof SourceConfigError) return { errorCode: err.code, error: err.message };
  services.log.error({ err, fetchRunId: runId }, 'fetch run failed');
  return { errorCode: 'INTERNAL_ERROR', error: 'the run failed on our side; it is retried' };
}

/** Runs `work` as one fetch run of the source: opened, then closed once with its counts or its failure. */
async function asRun(
  services: PipelineServices,
  source: RunSource,
  trigger: RunTrigger,
  work: (state: RunState) => Promise<Pick<RunEnding, 'httpStatus' | 'validators'>>,
): Promise<RunSummary> {
  const startedAt = Date.now();
  const runId = await openRun(services, source, trigger);
  const state = newState(services, runId);
  let ending: RunEnding;
  try {
    const done = await work(state);
    ending = {
      ...done,
      status: finishedStatus(state.counts),
      counts: state.counts,
      problems: state.problems,
      errorsRecorded: state.errorsRecorded,
      startedAt,
    };
  } catch (err) {
    ending = {
      httpStatus: state.httpStatus,
      ...failureOf(services, runId, err),
      status: 'FAILED',
      counts: state.counts,
      problems: state.problems,
      errorsRecorded: state.errorsRecorded,
      startedAt,
    };
  }
  await closeRun(services, source, runId, ending);
  return { fetchRunId: runId, status: ending.status, counts: ending.counts, errorCode: ending.errorCode, error: ending.error };
}

/** After the whole list was read: what it no longer holds (from the horizon on) is marked removed. */
async function removeMissing(services: PipelineServices, source: RunSource, state: RunState): Promise<void> {
  const { seenExternalIds, runId } = state;
  state.counts.removed += (
    await markMissingRemoved(services, { source, runId, seenExternalIds, since: state.horizon.from })
  ).removed;
}

/**
 * Fetches a source and stages what it holds: a conditional request (an unchanged feed, HTTP 304, is a cheap run
 * that stages nothing), pages followed for JSON and HTML at the source's rate, and once the whole feed was read,
 * its records that are gone marked removed. Null when the source does not exist.
 */
export async function runSource(services: PipelineServices, sourceId: string, trigger: RunTrigger): Promise<RunSummary | null> {
  const source = await loadRunSource(services.sql, sourceId);
  if (!source) return null;
  // the caller holds the source's lease: a fetch run still RUNNING was left by a worker that stopped
  await closeAbandonedRuns(services, source);
  return asRun(services, source, trigger, async (state) => {
    if (!source.url) throw new FeedError('NOT_A_FEED', `a ${source.kind} source has no URL to fetch; upload or push its events`);
    const credentials = source.credentials
      ? feedCredentialsOf(openCredentials(services.box, source.credentials, source.id))
      : null;
    const gate = RateGate.perMinute(source.requestsPerMinute);
    const options = { ...services.fetch, credentials };
    await gate.pass();
    const first = await fetchFeed(source.url, { ...options, etag: source.etag, lastModified: source.lastModified });
    state.httpStatus = first.httpStatus;
    if (first.notModified) return { httpStatus: 304, validators: { etag: first.etag, lastModified: first.lastModified } };
    let page = first;
    for (let pages = 1; ; pages++) {
      await stageBody(services, source, state, page.body, { contentType: page.contentType ?? undefined, baseUrl: page.finalUrl });
      const next = pages < services.maxPages ? nextPageUrl(source.kind, page.body, source.config, page.finalUrl) : null;
      if (!next) break;
      await gate.pass();
      const fetched = await fetchFeed(next, options);
      if (fetched.notModified) break;
      page = fetched;
    }
    await removeMissing(services, source, state);
    return { httpStatus: first.httpStatus, validators: { etag: first.etag, lastModified: first.lastModified } };
  });
}

export interface IngestPayload {
  sourceId: string;
  trigger: 'PUSH' | 'UPLOAD';
  body: Buffer;
  contentType: string;
}

/**
 * A pushed or uploaded body through the same steps from parsing on. An upload is the source's whole list, so
 * what it no longer holds is marked removed; a push is a batch of changes and removes nothing.
 */
export async function ingestPayload(services: PipelineServices, payload: IngestPayload): Promise<RunSummary | null> {
  const source = await loadRunSource(services.sql, payload.sourceId);
  if (!source) return null;
  return asRun(services, source, payload.trigger, async (state) => {
    await stageBody(services, source, state, payload.body, { contentType: payload.contentType });
    if (payload.trigger === 'UPLOAD') await removeMissing(services, source, state);
    return {};
  });
}
