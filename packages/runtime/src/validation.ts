import { badInput } from './errors';
import { textProblem } from './input-hygiene';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Ids are UUIDs; anything else is rejected before it reaches the database. */
export function parseId(field: string, value: string | number): string {
  const id = String(value);
  if (!UUID.test(id)) throw badInput(field, `"${id}" is not a valid id`);
  return id.toLowerCase();
}

export function parseSlug(field: string, value: string): string {
  if (value.length > 80 || !SLUG.test(value)) throw badInput(field, 'use 1–80 lowercase letters, digits and single hyphens');
  return value;
}

/** Trimmed text of 1–max characters that PostgreSQL can store (also for what reaches no GraphQL argument: route parameters). */
export function requireText(field: string, value: string, max = 200): string {
  const text = value.trim();
  if (!text) throw badInput(field, 'must not be empty');
  if (text.length > max) throw badInput(field, `must be at most ${max} characters`);
  const problem = textProblem(text);
  if (problem) throw badInput(field, problem);
  return text;
}

export function parsePageSize(field: string, value: number | null | undefined, fallback: number, max: number): number {
  const size = value ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > max) throw badInput(field, `must be between 1 and ${max}`);
  return size;
}
