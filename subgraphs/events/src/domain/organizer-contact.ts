import type { Problem } from './event-details';

/**
 * The organiser contact an event may carry for attendees' questions (a name, an e-mail address, a phone number;
 * each optional). It is personal data with a purpose: it is blanked six months after the event ended (see
 * domain/retention.ts), and shown only to callers who identify themselves (see who may read it in
 * schema/event-contact.ts), so anonymous scrapers cannot harvest it from public events.
 */
export interface OrganizerContact {
  name: string | null;
  email: string | null;
  phone: string | null;
}

export const CONTACT_LIMITS = { name: 120, email: 254, emailLocalPart: 64 } as const;

/** The event columns the contact is stored in. */
export const CONTACT_COLUMNS = ['contactName', 'contactEmail', 'contactPhone'] as const;
export type ContactColumns = { contactName: string | null; contactEmail: string | null; contactPhone: string | null };

/** What an event keeps once its contact's purpose has ended (retention) or its owner's account is gone (erasure). */
export const NO_CONTACT: ContactColumns = { contactName: null, contactEmail: null, contactPhone: null };

// RFC 5322 dot-atoms without quoting or comments (what mail clients accept in practice) at a DNS host name
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** An e-mail address with its domain lower-cased, or a problem saying what is wrong with it. */
export function parseContactEmail(field: string, value: string): { value: string } | Problem {
  const email = value.trim();
  const at = email.lastIndexOf('@');
  if (email.length > CONTACT_LIMITS.email) return { field, message: `at most ${CONTACT_LIMITS.email} characters` };
  const local = at > 0 ? email.slice(0, at) : '';
  const labels = at > 0 ? email.slice(at + 1).split('.') : [];
  const valid =
    local.length > 0 &&
    local.length <= CONTACT_LIMITS.emailLocalPart &&
    LOCAL_PART.test(local) &&
    labels.length >= 2 &&
    labels.every((label) => DOMAIN_LABEL.test(label)) &&
    /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1]!);
  if (!valid) return { field, message: 'must be an e-mail address such as info@example.org' };
  return { value: `${local}@${labels.join('.').toLowerCase()}` };
}

/**
 * A phone number in international form: a + (or 00) and the country code, then digits with the usual spaces,
 * dots, hyphens and parentheses; 8 to 15 digits in all (E.164). Stored as E.164 (+4930123456), which every
 * client can dial and format for its reader.
 */
export function parseContactPhone(field: string, value: string): { value: string } | Problem {
  const written = value.trim();
  if (!/^(?:\+|00)[\d\s().\-/]+$/.test(written))
    return { field, message: 'must be an international number starting with + and the country code, e.g. +49 30 1234567' };
  const digits = written.replace(/^00/, '').replace(/\D/g, '');
  if (digits.startsWith('0')) return { field, message: 'the country code does not start with 0' };
  if (digits.length < 8 || digits.length > 15) return { field, message: 'must have 8 to 15 digits with the country code' };
  return { value: `+${digits}` };
}

export function parseContactName(field: string, value: string): { value: string } | Problem {
  const name = value.trim().replace(/\s+/g, ' ');
  if (CONTROL.test(value.replace(/[\t\n\r]/g, ' '))) return { field, message: 'must not contain control characters' };
  if (name.length > CONTACT_LIMITS.name) return { field, message: `at most ${CONTACT_LIMITS.name} characters` };
  return { value: name };
}

/**
 * The columns an organiser contact input writes (each field blank or null clears it), with the problems found
 * (fields named `organizerContact.email` etc.). `null` for the whole contact clears all three.
 */
export function organizerContactColumns(input: Partial<OrganizerContact> | null): {
  columns: ContactColumns;
  problems: Problem[];
} {
  const columns: ContactColumns = { ...NO_CONTACT };
  const problems: Problem[] = [];
  if (input == null) return { columns, problems };
  const parsers = [
    ['name', 'contactName', parseContactName],
    ['email', 'contactEmail', parseContactEmail],
    ['phone', 'contactPhone', parseContactPhone],
  ] as const;
  for (const [key, column, parse] of parsers) {
    const raw = input[key];
    if (raw == null || raw.trim() === '') continue;
    const parsed = parse(`organizerContact.${key}`, raw);
    if ('value' in parsed) columns[column] = parsed.value;
    else problems.push(parsed);
  }
  return { columns, problems };
}

/** The contact as the API shows it, or null when the event has none. */
export function contactOf(columns: ContactColumns): OrganizerContact | null {
  const { contactName: name, contactEmail: email, contactPhone: phone } = columns;
  return name || email || phone ? { name, email, phone } : null;
}
