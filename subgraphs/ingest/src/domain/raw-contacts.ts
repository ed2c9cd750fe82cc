import { stripContactData, stripEmailAddresses } from './normalise/text';

/**
 * What a staging record's `raw` (what its feed said) keeps once its event is long over (retention policy
 * ingest.raw-contacts): everything but the organisers' and attendees' contact data. Feeds carry it in structured
 * fields, which go whole (a name beside an address is as personal as the address):
 * - iCalendar (raw as jCal properties): ORGANIZER;CN=…:mailto:…, ATTENDEE, CONTACT;
 * - RSS / Atom / GData (raw as the parsed XML item): author, managingEditor, webMaster, dc:creator,
 *   dc:contributor, itunes:owner, gd:who, and any element or attribute named email;
 * - partner JSON / CSV rows (raw as the row): columns named for a contact, an organiser, an e-mail or a phone;
 * and in free text (descriptions, locations, HTML), where e-mail addresses and phone numbers are stripped as on
 * public pages (stripContactData); single tokens (ids, URLs) lose addresses only.
 */

const ICAL_CONTACT_PROPERTIES = new Set(['organizer', 'attendee', 'contact']);

/** Words of a field name that say it holds a contact (compared lower-case, split at camelCase, _, -, :, @). */
const CONTACT_WORDS = new Set([
  'contact',
  'contacts',
  'organizer',
  'organiser',
  'organizers',
  'organisers',
  'author',
  'authors',
  'creator',
  'contributor',
  'owner',
  'managingeditor',
  'webmaster',
  'who',
  'attendee',
  'attendees',
  'email',
  'mail',
  'mailto',
  'phone',
  'telephone',
  'tel',
  'mobile',
  'fax',
]);

/** `dc:creator` → [dc, creator]; `@_email` → [email]; `contactEmail`, `contact_email` → [contact, email]. */
const wordsOf = (key: string): string[] =>
  key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

export const isContactField = (key: string): boolean =>
  CONTACT_WORDS.has(
    key
      .replace(/^@_/, '')
      .replace(/^[^:]*:/, '')
      .toLowerCase(),
  ) || wordsOf(key).some((word) => CONTACT_WORDS.has(word));

/** A jCal property: [name, parameters, value type, ...values]. */
const isJcalProperty = (value: unknown[]): value is [string, Record<string, unknown>, string, ...unknown[]] =>
  value.length >= 3 &&
  typeof value[0] === 'string' &&
  typeof value[1] === 'object' &&
  value[1] !== null &&
  !Array.isArray(value[1]) &&
  typeof value[2] === 'string';

/**
 * Prose loses e-mail addresses and phone numbers; URLs in it, and single tokens (an id, a date), only addresses:
 * their digit runs are no phone numbers (imgs/18/1/7/3/9/9/2/1/, a UID's 091380298009).
 */
function scrubText(text: string): string {
  return text
    .split(URL)
    .map((piece, i) => (i % 2 === 1 || !/\s/.test(piece) ? stripEmailAddresses(piece) : scrubProse(piece)))
    .join('');
}
const URL = /(https?:\/\/[^\s"'<>]+)/i;

function scrubProse(text: string): string {
  const stripped = stripContactData(text);
  // stripContactData also evens out spaces: what had no contact data stays exactly as the feed said it
  return stripped === text.replace(/[ \t]{2,}/g, ' ') ? text : stripped;
}

/** `raw` without contact data; what was no contact data stays as it was. */
export function scrubContactData(raw: unknown): unknown {
  if (typeof raw === 'string') return scrubText(raw);
  if (Array.isArray(raw)) {
    return raw
      .filter((item) => !(Array.isArray(item) && isJcalProperty(item) && ICAL_CONTACT_PROPERTIES.has(item[0].toLowerCase())))
      .map((item) => scrubContactData(item));
  }
  if (typeof raw === 'object' && raw !== null) {
    return Object.fromEntries(
      Object.entries(raw as Record<string, unknown>)
        .filter(([key]) => !isContactField(key))
        .map(([key, value]) => [key, scrubContactData(value)]),
    );
  }
  return raw;
}
