import { normaliseRecord, type KnownVenue } from '../domain/normalise';
import { knownVenuesFor } from '../known-venues';
import { parseFeed } from '../domain/parse';
import type { RunCounts } from '../domain/fetch-run';
import type { NormalisedRecord, ParsedRecord, RecordProblem } from '../domain/records';
import { stageRecords } from '../staging';
import { recordProgress, type RunSource } from './run-rows';
import type { PipelineServices } from './services';

/** One run's progress through its bodies (pages): what it counted, saw and refused so far. */
export interface RunState {
  runId: string;
  counts: RunCounts;
  seenExternalIds: Set<string>;
  /** refusals not yet written to the run */
  problems: RecordProblem[];
  errorsRecorded: number;
  horizon: { from: Date; to: Date };
  /** the feed's answer, kept for the run also when what it sent cannot be parsed */
  httpStatus?: number;
  /** the venues its places are matched to, read once per run */
  knownVenues?: KnownVenue[];
}

/** A short stable key of the source: the first part of its records' external ids. */
export const sourceKeyOf = (sourceId: string) => sourceId.replace(/-/g, '').slice(0, 12);

export function horizonOf(services: PipelineServices, now: Date): { from: Date; to: Date } {
  // a day back, so an event that started today is still expanded and kept
  return { from: new Date(now.getTime() - 86_400_000), to: new Date(now.getTime() + services.horizonDays * 86_400_000) };
}

/**
 * Parses one body (a feed, a page, an upload or a push), normalises its records and stages them batch by batch,
 * each batch its own transaction followed by a progress announcement. A bad record is refused alone; a body that
 * cannot be parsed at all throws (FeedError, SourceConfigError) and the run fails with its code.
 */
export async function stageBody(
  services: PipelineServices,
  source: RunSource,
  state: RunState,
  body: Buffer,
  options: { contentType?: string; baseUrl?: string },
): Promise<void> {
  const parsed = parseFeed(source.kind, body, {
    contentType: options.contentType,
    baseUrl: options.baseUrl,
    config: source.config,
    horizon: state.horizon,
  });
  state.counts.found += parsed.records.length + parsed.problems.length;
  state.counts.rejected += parsed.problems.length;
  state.problems.push(...parsed.problems);
  state.knownVenues ??= await knownVenuesFor(services.sql, source.organizationId);
  const context = { sourceKey: sourceKeyOf(source.id), kind: source.kind, knownVenues: state.knownVenues, now: new Date() };
  for (let start = 0; start < parsed.records.length; start += services.batchSize) {
    const batch: NormalisedRecord[] = [];
    const invalid: { parsed: ParsedRecord; problems: RecordProblem[] }[] = [];
    for (const record of parsed.records.slice(start, start + services.batchSize)) {
      const result = normaliseRecord(record, context);
      if (result.record) {
        batch.push(result.record);
        state.seenExternalIds.add(result.record.externalId);
      } else {
        invalid.push({ parsed: record, problems: result.problems });
        state.problems.push(...result.problems);
      }
    }
    const staged = await stageRecords(services, { source, runId: state.runId, batch, invalid });
    for (const key of ['new', 'updated', 'unchanged', 'duplicate', 'rejected'] as const) state.counts[key] += staged[key];
    await flushProgress(services, source, state);
  }
  if (parsed.records.length === 0) await flushProgress(services, source, state);
}

async function flushProgress(services: PipelineServices, source: RunSource, state: RunState): Promise<void> {
  state.errorsRecorded += await recordProgress(services, source, state.runId, state.counts, state.problems, state.errorsRecorded);
  state.problems = [];
}
