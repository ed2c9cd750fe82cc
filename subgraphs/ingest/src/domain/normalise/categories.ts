// the taxonomy lives in the runtime: users' notification preferences validate against the same slugs
import { CATEGORY_SLUGS, type CategorySlug } from '@eventgraph/runtime';
import type { CategoryMatch } from '../records';

export { CATEGORY_SLUGS, type CategorySlug };

/** word stems per slug, matched at the start of a word, lowercase, diacritics removed */
const KEYWORDS: Record<Exclude<CategorySlug, 'other'>, string[]> = {
  music: [
    'music',
    'musik',
    'musique',
    'concert',
    'konzert',
    'gig',
    'jazz',
    'rock',
    'pop',
    'band',
    'orchest',
    'choir',
    'chor',
    'opera',
    'oper',
    'symphon',
    'recital',
    'hip hop',
    'hip-hop',
    'techno',
    'classical',
    'klassik',
    'singer',
    'songwriter',
    'live music',
  ],
  theatre: [
    'theat',
    'stage',
    'buhne',
    'play',
    'musical',
    'ballet',
    'ballett',
    'dance',
    'tanz',
    'schauspiel',
    'cabaret',
    'kabarett',
    'performance',
  ],
  comedy: ['comedy', 'comedian', 'stand-up', 'standup', 'improv', 'humou', 'humor', 'satire'],
  film: ['film', 'cinema', 'kino', 'movie', 'screening', 'documentar'],
  art: ['art', 'kunst', 'exhibit', 'ausstellung', 'gallery', 'galerie', 'museum', 'vernissage', 'photograph', 'sculpt', 'paint'],
  festival: ['festival', 'fest ', 'carnival', 'karneval', 'fair', 'messe', 'markt', 'market', 'parade'],
  sport: [
    'sport',
    'football',
    'fussball',
    'soccer',
    'match',
    'marathon',
    'run',
    'lauf',
    'race',
    'cycling',
    'tennis',
    'basketball',
    'hockey',
    'yoga',
    'fitness',
    'game day',
    'tournament',
    'turnier',
  ],
  family: ['family', 'familie', 'kids', 'kinder', 'children', 'child', 'puppet', 'puppen'],
  food: [
    'food',
    'essen',
    'culinar',
    'kulinar',
    'wine',
    'wein',
    'beer',
    'bier',
    'tasting',
    'cooking',
    'kochen',
    'dinner',
    'brunch',
    'street food',
  ],
  talk: ['talk', 'lecture', 'vortrag', 'reading', 'lesung', 'panel', 'discussion', 'diskussion', 'keynote', 'podcast', 'book'],
  workshop: ['workshop', 'class', 'kurs', 'course', 'training', 'seminar', 'tutorial', 'bootcamp', 'hackathon'],
  conference: ['conference', 'konferenz', 'summit', 'congress', 'kongress', 'symposium', 'convention', 'conf ', 'devday', 'expo'],
  meetup: ['meetup', 'meet-up', 'stammtisch', 'user group', 'networking', 'social', 'get-together'],
  nightlife: ['party', 'club', 'dj', 'disco', 'rave', 'nightlife', 'karaoke', 'nightclub'],
  community: [
    'community',
    'volunteer',
    'charity',
    'neighbo',
    'nachbar',
    'civic',
    'church',
    'kirche',
    'religio',
    'holiday',
    'feiertag',
    'public holiday',
  ],
};

const fold = (text: string) =>
  ` ${text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9&+-]+/g, ' ')} `;

const matchesKeyword = (folded: string, keyword: string) => folded.includes(` ${keyword}`);

function slugsIn(text: string): CategorySlug[] {
  const folded = fold(text);
  const exact = (CATEGORY_SLUGS as readonly string[]).find((slug) => folded.trim() === slug);
  if (exact) return [exact as CategorySlug];
  return (Object.keys(KEYWORDS) as (keyof typeof KEYWORDS)[]).filter((slug) =>
    KEYWORDS[slug].some((k) => matchesKeyword(folded, k)),
  );
}

/** the feed's own category words are trusted more than words in the title, which are more than the description */
const CONFIDENCE = { category: 0.9, title: 0.6, description: 0.4 } as const;

/**
 * The slugs a record belongs to, most certain first, at most three. Nothing recognised gives `other` with a low
 * confidence, so a moderator knows it was a guess.
 */
export function mapCategories(feedCategories: string[], title: string, descriptionText: string): CategoryMatch[] {
  const found = new Map<CategorySlug, number>();
  const add = (slugs: CategorySlug[], confidence: number) => {
    for (const slug of slugs) found.set(slug, Math.max(found.get(slug) ?? 0, confidence));
  };
  for (const category of feedCategories) add(slugsIn(category), CONFIDENCE.category);
  if (found.size === 0) add(slugsIn(title), CONFIDENCE.title);
  if (found.size === 0) add(slugsIn(descriptionText.slice(0, 500)), CONFIDENCE.description);
  if (found.size === 0) return [{ slug: 'other', confidence: 0.2 }];
  return [...found]
    .sort((a, b) => b[1] - a[1] || CATEGORY_SLUGS.indexOf(a[0]) - CATEGORY_SLUGS.indexOf(b[0]))
    .slice(0, 3)
    .map(([slug, confidence]) => ({ slug, confidence }));
}
