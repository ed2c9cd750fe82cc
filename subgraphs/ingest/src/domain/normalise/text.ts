import sanitizeHtml from 'sanitize-html';

/**
 * Public text hygiene: descriptions keep a small allow-list of markup, titles become plain text, and
 * personal contact data (e-mail addresses, phone numbers) never reaches a public page.
 */

const DESCRIPTION_RULES: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a'],
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['http', 'https'],
  allowProtocolRelative: false,
  // the feed's own emphasis tags mean the same thing
  transformTags: {
    b: 'strong',
    i: 'em',
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener' } }),
  },
  // removed with their content, not unwrapped: their text was never meant to be read
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title'],
  textFilter: (text) => stripContactData(text),
};

const PLAIN_TEXT: sanitizeHtml.IOptions = { allowedTags: [], allowedAttributes: {}, nonTextTags: DESCRIPTION_RULES.nonTextTags };

const LABEL = String.raw`(?:\b(?:e-?mail|mail|tel(?:ephone)?|phone|fon|telefon|mobile?|handy|whatsapp)\b\.?\s*:?\s*)?`;
const EMAIL = new RegExp(LABEL + String.raw`(?:mailto:)?[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`, 'gi');
/**
 * a run of digits with the separators phone numbers are written with, on one line (a street number above a postal
 * code is no phone number); checked further by isPhoneNumber
 */
const PHONE = new RegExp(LABEL + String.raw`((?:\+|\b00|\(|\b)\d[\d \t().\/-]{5,}\d)\b`, 'gi');

/** Removes e-mail addresses and phone numbers, with a label in front of them ("Tel.:", "E-Mail:"). */
export function stripContactData(text: string): string {
  return text
    .replace(EMAIL, '')
    .replace(PHONE, (match, number: string) => (isPhoneNumber(number) ? '' : match))
    .replace(/[ \t]{2,}/g, ' ');
}

/** Removes e-mail addresses only (with their label): for identifiers and URLs, whose digit runs are no phone numbers. */
export const stripEmailAddresses = (text: string): string => text.replace(EMAIL, '');

/**
 * Dates, times, years and prices also are digit runs: a phone number has at least 7 digits, is not a date
 * (2027-03-05, 05.03.2027), nor a time or year range (19:00-23:00, 2026-2027).
 */
function isPhoneNumber(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return false;
  const trimmed = candidate.trim();
  if (/^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$/.test(trimmed) || /^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/.test(trimmed)) return false;
  if (/^\d{4}\s*[-/]\s*\d{4}$/.test(trimmed)) return false;
  if (/^[\d\s]+$/.test(trimmed) && !/\s/.test(trimmed) && digits.length < 9) return false;
  return true;
}

/** Feed HTML reduced to the allow-list; plain text gets paragraphs from its blank lines. */
export function sanitiseDescription(description: string | null): string {
  if (!description) return '';
  const html = /<[a-z][^>]*>/i.test(description) ? description : paragraphsOf(description);
  return sanitizeHtml(html, DESCRIPTION_RULES)
    .replace(/<p>\s*<\/p>/g, '')
    .trim();
}

function paragraphsOf(text: string): string {
  const escape = (s: string) =>
    s
      .replace(/&(?![#a-z0-9]+;)/gi, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;');
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escape(p).replace(/\r?\n/g, '<br>')}</p>`)
    .join('');
}

/** HTML (tags, entities) to text, whitespace collapsed. */
export function plainText(value: string | null): string {
  if (!value) return '';
  return sanitizeHtml(value, PLAIN_TEXT)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A title as people read it: plain text, no contact data, one line. SHOUTING is kept and judged by quality. */
export function cleanTitle(title: string | null): string {
  return (
    stripContactData(plainText(title))
      // what held the contact data: "(info@…)" leaves "()"
      .replace(/\(\s*\)|\[\s*\]/g, '')
      .replace(/\s+([,.;:!?])/g, '$1')
      .replace(/^[\s\-–|:]+|[\s\-–|:]+$/g, '')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** Only absolute http(s) URLs are kept, without a fragment or the usual tracking parameters. */
export function cleanUrl(value: string | null): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  for (const key of [...url.searchParams.keys()]) {
    if (/^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src)$/i.test(key)) url.searchParams.delete(key);
  }
  return url.toString();
}
