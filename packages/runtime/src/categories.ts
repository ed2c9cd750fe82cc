/**
 * The platform's public taxonomy of event categories: ingest maps feeds' words onto these slugs, and users'
 * notification preferences may only name these (an event's own categories are free labels beside them).
 */
export const CATEGORY_SLUGS = [
  'music',
  'theatre',
  'comedy',
  'film',
  'art',
  'festival',
  'sport',
  'family',
  'food',
  'talk',
  'workshop',
  'conference',
  'meetup',
  'nightlife',
  'community',
  'other',
] as const;
export type CategorySlug = (typeof CATEGORY_SLUGS)[number];
