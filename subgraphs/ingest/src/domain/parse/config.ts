import { canonicalTimeZone } from '@eventgraph/runtime';
import type { SourceKind } from '../records';

/**
 * What each kind of source needs to know to read its feed, and the check that refuses a bad
 * mapping when the source is created (so a run never finds out). iCal and RSS read themselves;
 * CSV maps columns, partner JSON and webhooks map dot paths, HTML pages map CSS selectors.
 */

/** The event fields a mapping can fill. */
export const MAPPED_FIELDS = [
  'id',
  'title',
  'startsAt',
  'endsAt',
  'allDay',
  'timeZone',
  'location',
  'latitude',
  'longitude',
  'url',
  'description',
  'category',
  'imageUrl',
  'status',
] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];

export interface CalendarConfig {
  /** IANA zone for floating times when the calendar names none (X-WR-TIMEZONE); UTC otherwise */
  defaultTimeZone?: string;
  /** occurrences of one recurring event kept within the horizon; default 1000 */
  maxOccurrences?: number;
}

export interface CsvConfig {
  /** event field → CSV header */
  columns: Partial<Record<MappedField, string>> & { title: string; startsAt: string };
  delimiter?: string;
  dateFormat?: string;
  /** zone for wall-clock times (a timeZone column wins) */
  timeZone?: string;
}

export interface JsonConfig {
  /** dot path to the array of items (`data.items`); empty for a body that is the array or one item */
  itemsPath?: string;
  /** event field → dot path inside one item (`start.utc`) */
  fields: Partial<Record<MappedField, string>> & { title: string; startsAt: string };
  /** dot path to the next page's URL (`paging.next`) */
  nextPagePath?: string;
  dateFormat?: string;
  timeZone?: string;
}

export interface HtmlConfig {
  /** one element per event */
  container: string;
  title: string;
  date: string;
  endDate?: string;
  location?: string;
  link: string;
  description?: string;
  image?: string;
  category?: string;
  /** the "next page" link (its href unless `@attr` says otherwise) */
  nextPage?: string;
  dateFormat?: string;
  timeZone?: string;
}

type Problems = string[];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(problems: Problems, config: Record<string, unknown>, key: string, path: string, required: boolean) {
  const value = config[key];
  if (value === undefined || value === null) {
    if (required) problems.push(`${path}.${key} is required`);
    return;
  }
  if (typeof value !== 'string' || value.trim() === '') problems.push(`${path}.${key} must be a non-empty string`);
  else if (value.length > 500) problems.push(`${path}.${key} is longer than 500 characters`);
}

function zone(problems: Problems, config: Record<string, unknown>, key: string, path: string) {
  const value = config[key];
  if (value === undefined || value === null) return;
  if (typeof value !== 'string' || !canonicalTimeZone(value)) problems.push(`${path}.${key} is not a known IANA time zone`);
}

function mapping(problems: Problems, config: Record<string, unknown>, key: 'columns' | 'fields', path: string) {
  const map = config[key];
  if (!isObject(map)) {
    problems.push(`${path}.${key} must be an object mapping event fields to ${key === 'columns' ? 'column names' : 'dot paths'}`);
    return;
  }
  for (const field of Object.keys(map)) {
    if (!(MAPPED_FIELDS as readonly string[]).includes(field))
      problems.push(`${path}.${key}.${field} is not an event field (${MAPPED_FIELDS.join(', ')})`);
  }
  for (const field of Object.keys(map)) text(problems, map, field, `${path}.${key}`, false);
  text(problems, map, 'title', `${path}.${key}`, true);
  text(problems, map, 'startsAt', `${path}.${key}`, true);
}

const CSS_WITH_ATTRIBUTE = /^[^@]*(@[A-Za-z_:][-A-Za-z0-9_:.]*)?$/;

function selector(problems: Problems, config: Record<string, unknown>, key: string, path: string, required: boolean) {
  text(problems, config, key, path, required);
  const value = config[key];
  if (typeof value === 'string' && value.trim() && !CSS_WITH_ATTRIBUTE.test(value.trim())) {
    problems.push(`${path}.${key} must be a CSS selector, optionally ending in @attribute`);
  }
}

/** Why this config cannot drive this kind of source; empty when it can. Each message names its field. */
export function configProblems(kind: SourceKind, config: unknown, path = 'config'): string[] {
  const problems: Problems = [];
  if (config === undefined || config === null) {
    if (kind === 'CSV' || kind === 'JSON' || kind === 'WEBHOOK' || kind === 'HTML')
      problems.push(`${path} is required for ${kind} sources`);
    return problems;
  }
  if (!isObject(config)) return [`${path} must be an object`];
  switch (kind) {
    case 'ICAL':
    case 'RSS':
      zone(problems, config, 'defaultTimeZone', path);
      if (config.maxOccurrences !== undefined) {
        const n = config.maxOccurrences;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10_000)
          problems.push(`${path}.maxOccurrences must be an integer from 1 to 10000`);
      }
      break;
    case 'CSV':
      mapping(problems, config, 'columns', path);
      if (config.delimiter !== undefined && (typeof config.delimiter !== 'string' || config.delimiter.length !== 1)) {
        problems.push(`${path}.delimiter must be one character`);
      }
      text(problems, config, 'dateFormat', path, false);
      zone(problems, config, 'timeZone', path);
      break;
    case 'JSON':
    case 'WEBHOOK':
      mapping(problems, config, 'fields', path);
      if (config.itemsPath !== undefined && typeof config.itemsPath !== 'string')
        problems.push(`${path}.itemsPath must be a dot path`);
      text(problems, config, 'nextPagePath', path, false);
      text(problems, config, 'dateFormat', path, false);
      zone(problems, config, 'timeZone', path);
      break;
    case 'HTML':
      for (const key of ['container', 'title', 'date', 'link']) selector(problems, config, key, path, true);
      for (const key of ['endDate', 'location', 'description', 'image', 'category', 'nextPage'])
        selector(problems, config, key, path, false);
      text(problems, config, 'dateFormat', path, false);
      zone(problems, config, 'timeZone', path);
      break;
  }
  return problems;
}

/** Thrown when a parser is handed a config that configProblems refuses: a source saved before validation, or edited by hand. */
export class SourceConfigError extends Error {
  readonly code = 'BAD_SOURCE_CONFIG';
  constructor(readonly problems: string[]) {
    super(`The source's config cannot be used: ${problems.join('; ')}`);
    this.name = 'SourceConfigError';
  }
}

/** The config, typed, once configProblems has nothing to say. */
export function checkedConfig<T>(kind: SourceKind, config: unknown): T {
  const problems = configProblems(kind, config);
  if (problems.length) throw new SourceConfigError(problems);
  return (config ?? {}) as T;
}
