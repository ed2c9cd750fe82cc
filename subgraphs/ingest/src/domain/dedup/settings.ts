import { ConfigError } from '@eventgraph/runtime';

/** How much each part of a match counts, and the total from which two records are one event. */
export interface DedupSettings {
  weights: { title: number; time: number; location: number };
  threshold: number;
}

/**
 * Tuned on bench/data/dedup (bench/RESULTS.md, "Deduplication accuracy"): at 0.85 a place known on one side only
 * (online events, a country, a city) needed a letter-perfect title; 0.8 keeps every non-duplicate of the set out
 * (the closest scores 0.75) and lets those through.
 */
export const DEFAULT_DEDUP_SETTINGS: DedupSettings = { weights: { title: 0.4, time: 0.3, location: 0.3 }, threshold: 0.8 };

/**
 * INGEST_DEDUP_WEIGHTS="title,time,location" (three non-negative numbers, normalised to sum to 1) and
 * INGEST_DEDUP_THRESHOLD (0 < t <= 1, default 0.8). Unset means the defaults; a bad value stops the start with a ConfigError.
 */
export function dedupSettingsFromEnv(env: Record<string, string | undefined>): DedupSettings {
  const issues: string[] = [];
  let weights = DEFAULT_DEDUP_SETTINGS.weights;
  let threshold = DEFAULT_DEDUP_SETTINGS.threshold;
  const rawWeights = env.INGEST_DEDUP_WEIGHTS?.trim();
  if (rawWeights) {
    const parts = rawWeights.split(',').map((p) => (p.trim() === '' ? NaN : Number(p)));
    const sum = parts.reduce((a, b) => a + b, 0);
    if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0) || sum <= 0)
      issues.push(`INGEST_DEDUP_WEIGHTS: expected three non-negative numbers "title,time,location", got "${rawWeights}"`);
    else weights = { title: parts[0]! / sum, time: parts[1]! / sum, location: parts[2]! / sum };
  }
  const rawThreshold = env.INGEST_DEDUP_THRESHOLD?.trim();
  if (rawThreshold) {
    const value = Number(rawThreshold);
    if (!Number.isFinite(value) || value <= 0 || value > 1)
      issues.push(`INGEST_DEDUP_THRESHOLD: expected a number above 0 and at most 1, got "${rawThreshold}"`);
    else threshold = value;
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { weights, threshold };
}
