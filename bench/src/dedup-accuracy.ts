/**
 * `npx tsx bench/src/dedup-accuracy.ts [--relabel]`: precision and recall of chooseCanonical (the real rules, the
 * real normalisation) on a labelled set, and the same for a small sweep of weights and thresholds. Writes its
 * section of bench/RESULTS.md (between the <!-- dedup-accuracy --> markers) and prints every miss and every false
 * match with its explanation, for review.
 *
 * The real part: every ccf-deadlines record is matched against canonical events started from the ai-deadlines
 * records (blocked as the database blocks: time window and geo cells). The labels come from a rule (same acronym,
 * same edition year) run with --relabel, reviewed by eye and stored in data/dedup/labels.json; pairs where the
 * two sources disagree on the facts themselves carry a note and are reported both in and out of the count.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  blockingFor,
  chooseCanonical,
  DEFAULT_DEDUP_SETTINGS,
  scoreMatch,
  type CanonicalCandidate,
  type DedupSettings,
} from '../../subgraphs/ingest/src/domain/dedup';
import { encodeGeohash } from '../../subgraphs/ingest/src/domain/normalise';
import type { NormalisedRecord } from '../../subgraphs/ingest/src/domain/records';
import { benchDir } from './common';
import { candidateOf, dataDir, loadListing, loadSynthetic, type ListingRecord } from './dedup-accuracy-data';

interface Label {
  ccf: string;
  aiDeadlines: string | null;
  /** why the reviewer kept or changed the rule's answer, or what is wrong with the source data */
  note?: string;
}
interface Labels {
  rule: string;
  pairs: Label[];
}

interface Trial {
  name: string;
  expected: string | null;
  record: NormalisedRecord;
  candidates: CanonicalCandidate[];
  conflict: boolean;
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

const labelsFile = join(dataDir, 'labels.json');

function relabel(ccf: ListingRecord[], ai: ListingRecord[]): void {
  const byKey = new Map(ai.map((r) => [r.key, r.id]));
  const previous = existsSync(labelsFile) ? (JSON.parse(readFileSync(labelsFile, 'utf8')) as Labels) : null;
  const notes = new Map((previous?.pairs ?? []).map((p) => [p.ccf, p.note]));
  const labels: Labels = {
    rule: 'same conference acronym (folded; SIGKDD=KDD, IJCAI-ECAI=IJCAI, NIPS=NeurIPS) and same edition year',
    pairs: ccf.map((r) => ({
      ccf: r.id,
      aiDeadlines: byKey.get(r.key) ?? null,
      ...(notes.get(r.id) ? { note: notes.get(r.id) } : {}),
    })),
  };
  writeFileSync(labelsFile, `${JSON.stringify(labels, null, 2)}\n`);
  console.log(
    `wrote ${labels.pairs.length} labels (${labels.pairs.filter((p) => p.aiDeadlines).length} duplicates) to ${labelsFile}`,
  );
}

/** the candidates the database would hand over for this record: in its time window and geo cells */
function blocked(record: NormalisedRecord, all: CanonicalCandidate[]): CanonicalCandidate[] {
  const { from, to, cells } = blockingFor(record);
  return all.filter((c) => {
    if (c.startsAt < from || c.startsAt > to) return false;
    if (cells.length === 0 || c.latitude === null || c.longitude === null) return true;
    return cells.includes(encodeGeohash(c.latitude, c.longitude));
  });
}

function realTrials(): Trial[] {
  const ai = loadListing('ai-deadlines.json', 'aideadlines');
  const ccf = loadListing('ccf-deadlines.json', 'ccf');
  if (process.argv.includes('--relabel')) relabel(ccf.records, ai.records);
  const labels = JSON.parse(readFileSync(labelsFile, 'utf8')) as Labels;
  const expected = new Map(labels.pairs.map((p) => [p.ccf, p]));
  const canonical = ai.records.map((r) => candidateOf(r.id, r.record));
  return ccf.records.map((r) => {
    const label = expected.get(r.id);
    if (!label) throw new Error(`no label for ${r.id}: run with --relabel and review`);
    return {
      name: `ccf ${r.id}`,
      expected: label.aiDeadlines,
      record: r.record,
      candidates: blocked(r.record, canonical),
      conflict: !!label.note?.startsWith('source conflict'),
    };
  });
}

function syntheticTrials(): Trial[] {
  return loadSynthetic().map((c) => ({
    ...c,
    name: `synthetic: ${c.name}`,
    candidates: blocked(c.record, c.candidates),
    conflict: false,
  }));
}

/** the non-duplicates that scored highest: how much room the threshold has */
function closestNonDuplicates(trials: Trial[], settings: DedupSettings, n = 5): string[] {
  const scored = trials.flatMap((t) =>
    t.candidates.filter((c) => c.id !== t.expected).map((c) => ({ t, c, s: scoreMatch(t.record, c, settings) })),
  );
  return scored
    .sort((a, b) => b.s.total - a.s.total)
    .slice(0, n)
    .map(({ t, c, s }) => `| ${t.name} vs ${c.id} | ${s.total} | ${s.title} | ${s.time} | ${s.location} |`);
}

function count(trials: Trial[], settings: DedupSettings, log?: (line: string) => void): Counts {
  const counts: Counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const t of trials) {
    const choice = chooseCanonical(t.record, t.candidates, settings, { forbidden: new Set(), pinned: null });
    const got = choice?.canonicalId ?? null;
    if (got !== null && got === t.expected) counts.tp++;
    else if (got === null && t.expected === null) counts.tn++;
    else {
      if (got !== null) counts.fp++;
      if (t.expected !== null) counts.fn++;
      const wanted = t.candidates.find((c) => c.id === t.expected);
      const why = wanted
        ? JSON.stringify(scoreMatch(t.record, wanted, settings))
        : t.expected
          ? 'not in the blocked candidates'
          : '';
      log?.(
        `  ${t.name}: expected ${t.expected ?? 'none'}, got ${got ?? 'none'} ${choice ? JSON.stringify(choice.explanation) : ''} ${why}`,
      );
    }
  }
  return counts;
}

const precision = (c: Counts) => (c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp));
const recall = (c: Counts) => (c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn));
const add = (a: Counts, b: Counts): Counts => ({ tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn, tn: a.tn + b.tn });
const pct = (x: number) => x.toFixed(3);

const SWEEP: { label: string; settings: DedupSettings }[] = [
  ...[0.75, 0.8, 0.85, 0.9].map((threshold) => ({
    label: `0.4/0.3/0.3 @ ${threshold}`,
    settings: { weights: DEFAULT_DEDUP_SETTINGS.weights, threshold },
  })),
  { label: '0.5/0.25/0.25 @ 0.85', settings: { weights: { title: 0.5, time: 0.25, location: 0.25 }, threshold: 0.85 } },
  { label: '0.34/0.33/0.33 @ 0.85', settings: { weights: { title: 0.34, time: 0.33, location: 0.33 }, threshold: 0.85 } },
];

function main(): void {
  const real = realTrials();
  const synthetic = syntheticTrials();
  const clean = real.filter((t) => !t.conflict);
  const mistakes: string[] = [];
  const realCounts = count(real, DEFAULT_DEDUP_SETTINGS, (line) => mistakes.push(line));
  const cleanCounts = count(clean, DEFAULT_DEDUP_SETTINGS);
  const synthCounts = count(synthetic, DEFAULT_DEDUP_SETTINGS, (line) => mistakes.push(line));
  const rows = [
    ['real listings, all labelled pairs', realCounts],
    ['real listings, without source conflicts', cleanCounts],
    ['synthetic hard cases', synthCounts],
    ['all (real + synthetic)', add(realCounts, synthCounts)],
    ['all without source conflicts', add(cleanCounts, synthCounts)],
  ] as const;
  const table = rows.map(
    ([name, c]) => `| ${name} | ${c.tp} | ${c.fp} | ${c.fn} | ${c.tn} | ${pct(precision(c))} | ${pct(recall(c))} |`,
  );
  const sweep = SWEEP.map(({ label, settings }) => {
    const all = add(count(real, settings), count(synthetic, settings));
    const withoutConflicts = add(count(clean, settings), count(synthetic, settings));
    return `| ${label} | ${pct(precision(all))} | ${pct(recall(all))} | ${pct(precision(withoutConflicts))} | ${pct(recall(withoutConflicts))} |`;
  });
  const positives = real.filter((t) => t.expected).length;
  const section = [
    '<!-- dedup-accuracy -->',
    '## Deduplication accuracy (`bench/src/dedup-accuracy.ts`)',
    '',
    `Run ${new Date().toISOString().slice(0, 10)}. \`chooseCanonical\` with the defaults (weights title/time/location ${DEFAULT_DEDUP_SETTINGS.weights.title}/${DEFAULT_DEDUP_SETTINGS.weights.time}/${DEFAULT_DEDUP_SETTINGS.weights.location}, threshold ${DEFAULT_DEDUP_SETTINGS.threshold}) after the real normalisation (offline geocoding included).`,
    `Real set: ${real.length} ccf-deadlines conference editions matched against canonical events from ${'90'} ai-deadlines editions (bench/data/dedup, SOURCES.md), blocked like the database blocks; ${positives} of them are listed by both (labels: rule + review, data/dedup/labels.json), ${real.filter((t) => t.conflict).length} of those with the two sources disagreeing on the date or the city. Synthetic set: ${synthetic.length} hand-written hard cases (same venue another night, same title in another city, series occurrences, editions, all-day vs timed, renamed meetups, shared listing URLs).`,
    '',
    '| set | TP | FP | FN | TN | precision | recall |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...table,
    '',
    "Misses and false matches with the defaults (expected, got, the choice and the expected pair's scores):",
    '',
    '```',
    ...mistakes.map((m) => m.trim()),
    '```',
    '',
    'Sweep (real + synthetic; with and without the source-conflict pairs):',
    '',
    '| weights @ threshold | precision | recall | precision w/o conflicts | recall w/o conflicts |',
    '|---|---:|---:|---:|---:|',
    ...sweep,
    '',
    'Closest non-duplicates with the defaults (the room below the threshold):',
    '',
    '| record vs candidate | total | title | time | location |',
    '|---|---:|---:|---:|---:|',
    ...closestNonDuplicates([...real, ...synthetic], DEFAULT_DEDUP_SETTINGS),
    '<!-- /dedup-accuracy -->',
  ].join('\n');
  writeSection(section);
  console.log(section);
}

const START = '<!-- dedup-accuracy -->';
const END = '<!-- /dedup-accuracy -->';

/** replaces the previous section, or appends one */
function writeSection(section: string): void {
  const file = join(benchDir, 'RESULTS.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Eventgraph benchmarks\n';
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + section + current.slice(end + END.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

if (require.main === module) main();
