/**
 * What makes a password acceptable: long enough to resist guessing, not one of
 * the handful everyone tries, not the account's own email.
 */
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

const COMMON = new Set([
  'password123',
  '1234567890',
  'qwertyuiop',
  'iloveyou12',
  'letmein123',
  'password1234',
  'administrator',
  'welcome123',
]);

export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (new Set(password).size < 4) return 'must use more than a few different characters';
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'is too common';
  if (email && lower.includes(email.toLowerCase().split('@')[0]!) && email.split('@')[0]!.length >= 4)
    return 'must not contain the email address';
  return null;
}
