/**
 * One complete run of a paged JSON source as ingest does it, page by page: fetch over real HTTP → parse →
 * normalise → stage (dedup and canonical recompute inside staging's transaction), then the records the feed
 * no longer lists are marked removed. Wall time is split per step so the bench can say where it goes.
 */
import { randomUUID } from 'node:crypto';
import { fetchFeed } from '../../subgraphs/ingest/src/fetch/http-fetch';
import { nextPageUrl, parseFeed } from '../../subgraphs/ingest/src/domain/parse';
import { normaliseRecord } from '../../subgraphs/ingest/src/domain/normalise';
import type { NormalisedRecord, ParsedRecord, RecordProblem } from '../../subgraphs/ingest/src/domain/records';
import {
  markMissingRemoved,
  stageRecords,
  type StageCounts,
  type StagedSource,
  type StagingServices,
} from '../../subgraphs/ingest/src/staging';

export interface PipelineInput {
  source: StagedSource;
  sourceKey: string;
  config: unknown;
  firstUrl: string;
  /** "now" for normalisation and the parse horizon */
  now: Date;
  /** called after each page with the records so far (progress output) */
  onPage?: (records: number) => void;
}

export interface StepTimes {
  fetch: number;
  parse: number;
  normalise: number;
  stage: number;
  removal: number;
}

export interface PipelineResult {
  records: number;
  pages: number;
  bytes: number;
  counts: StageCounts;
  parseProblems: number;
  removed: number;
  /** ms per step, summed over pages */
  steps: StepTimes;
  /** stage ms per page, in order: how the cost moves as the run adds canonical events */
  pageStageMs: number[];
  wallMs: number;
}

export async function ingestSource(services: StagingServices, input: PipelineInput): Promise<PipelineResult> {
  const runId = randomUUID();
  const horizon = { from: new Date(input.now.getTime() - 86_400_000), to: new Date(input.now.getTime() + 2 * 365 * 86_400_000) };
  const steps: StepTimes = { fetch: 0, parse: 0, normalise: 0, stage: 0, removal: 0 };
  const counts: StageCounts = { new: 0, updated: 0, unchanged: 0, duplicate: 0, rejected: 0 };
  const seen = new Set<string>();
  let records = 0;
  let pages = 0;
  let bytes = 0;
  let parseProblems = 0;
  const pageStageMs: number[] = [];
  const started = performance.now();
  let url: string | null = input.firstUrl;
  while (url) {
    let t = performance.now();
    const fetched = await fetchFeed(url, { privateTargets: 'allow', timeoutMs: 60_000 });
    if (fetched.notModified) break;
    steps.fetch += performance.now() - t;
    t = performance.now();
    const parsed = parseFeed('JSON', fetched.body, {
      contentType: fetched.contentType ?? undefined,
      horizon,
      config: input.config,
      baseUrl: fetched.finalUrl,
    });
    const next = nextPageUrl('JSON', fetched.body, input.config, fetched.finalUrl);
    steps.parse += performance.now() - t;
    parseProblems += parsed.problems.length;

    t = performance.now();
    const batch: NormalisedRecord[] = [];
    const invalid: { parsed: ParsedRecord; problems: RecordProblem[] }[] = [];
    for (const record of parsed.records) {
      const result = normaliseRecord(record, { sourceKey: input.sourceKey, kind: 'JSON', knownVenues: [], now: input.now });
      if (result.record) {
        batch.push(result.record);
        seen.add(result.record.externalId);
      } else invalid.push({ parsed: record, problems: result.problems });
    }
    steps.normalise += performance.now() - t;

    t = performance.now();
    const staged = await stageRecords(services, { source: input.source, runId, batch, invalid });
    pageStageMs.push(performance.now() - t);
    steps.stage += pageStageMs[pageStageMs.length - 1]!;
    for (const key of Object.keys(counts) as (keyof StageCounts)[]) counts[key] += staged[key];

    records += parsed.records.length;
    pages++;
    bytes += fetched.bytes;
    input.onPage?.(records);
    url = next;
  }
  const t = performance.now();
  const { removed } = await markMissingRemoved(services, { source: input.source, runId, seenExternalIds: seen });
  steps.removal = performance.now() - t;
  return { records, pages, bytes, counts, parseProblems, removed, steps, pageStageMs, wallMs: performance.now() - started };
}
