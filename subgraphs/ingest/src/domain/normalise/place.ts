import type { ResolvedPlace } from '../records';
import { citiesInCell, citiesNamed, foldName, type City } from './gazetteer';
import { distanceKm, encodeGeohash, neighbourCells } from './geohash';
import { COUNTRY_WORDS, NOT_A_CITY } from './place-words';

/** A venue the platform already knows, matched by name before any city. */
export interface KnownVenue {
  id: string;
  name: string;
  city: string | null;
  /** ISO 3166-1 alpha-2 */
  country: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** countries whose places are written with a state or province code */
const REGIONAL = new Set(['US', 'CA', 'AU']);

const ONLINE = /^\s*(online|virtual|remote|livestream|zoom|webinar)\b/i;

/** A known venue's name with this much similarity to the place text is taken to be that venue. */
const VENUE_MIN_SIMILARITY = 0.75;
/** Feed coordinates this close to a known venue with a similar name are that venue. */
const VENUE_NEAR_KM = 0.3;

export function resolvePlace(
  text: string | null,
  latitude: number | null,
  longitude: number | null,
  knownVenues: KnownVenue[],
): ResolvedPlace {
  const hasCoordinates = validCoordinates(latitude, longitude);
  const place: ResolvedPlace = {
    text: text?.trim() || null,
    venueId: null,
    venueName: null,
    city: null,
    country: null,
    latitude: hasCoordinates ? latitude : null,
    longitude: hasCoordinates ? longitude : null,
    confidence: hasCoordinates ? 0.9 : 0,
    cell: null,
  };
  const venue = place.text || hasCoordinates ? matchVenue(place.text, place.latitude, place.longitude, knownVenues) : null;
  if (venue) {
    Object.assign(place, {
      venueId: venue.venue.id,
      venueName: venue.venue.name,
      city: venue.venue.city,
      country: venue.venue.country,
      confidence: Math.max(place.confidence, venue.confidence),
    });
    // the feed's coordinates win; a venue fills them in when the feed had none
    if (!hasCoordinates && venue.venue.latitude !== null && venue.venue.longitude !== null) {
      place.latitude = venue.venue.latitude;
      place.longitude = venue.venue.longitude;
    }
  }
  if (!place.city && place.text && !ONLINE.test(place.text)) {
    const city = cityInText(place.text, place.latitude, place.longitude);
    if (city) {
      place.city = city.city.name;
      place.country = city.city.country;
      if (place.latitude === null || place.longitude === null) {
        place.latitude = city.city.latitude;
        place.longitude = city.city.longitude;
        place.confidence = city.confidence;
      }
    }
  }
  if (!place.city && place.latitude !== null && place.longitude !== null) {
    const nearest = nearestCity(place.latitude, place.longitude);
    if (nearest) {
      place.city = nearest.name;
      place.country = nearest.country;
    }
  }
  if (place.latitude !== null && place.longitude !== null) place.cell = encodeGeohash(place.latitude, place.longitude);
  return place;
}

const validCoordinates = (lat: number | null, lon: number | null): lat is number =>
  lat !== null &&
  lon !== null &&
  Number.isFinite(lat) &&
  Number.isFinite(lon) &&
  Math.abs(lat) <= 90 &&
  Math.abs(lon) <= 180 &&
  !(lat === 0 && lon === 0);

/** the words of a name as a set, for a Dice coefficient that ignores order and punctuation */
const nameWords = (name: string) => new Set(foldName(name).split(' ').filter(Boolean));

function dice(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/** How well a place text names a venue: its name in full anywhere in the text, or one comma part much like it. */
function venueNameScore(text: string, venue: KnownVenue): number {
  const folded = ` ${foldName(text)} `;
  const name = foldName(venue.name);
  if (!name) return 0;
  if (folded.includes(` ${name} `)) return 0.95;
  const parts = text.split(/[,;\n|]/).map(nameWords);
  return Math.max(0, ...parts.map((part) => dice(part, nameWords(venue.name)))) * 0.9;
}

function matchVenue(
  text: string | null,
  latitude: number | null,
  longitude: number | null,
  venues: KnownVenue[],
): { venue: KnownVenue; confidence: number } | null {
  let best: { venue: KnownVenue; confidence: number } | null = null;
  for (const venue of venues) {
    const byName = text ? venueNameScore(text, venue) : 0;
    const near =
      latitude !== null && longitude !== null && venue.latitude !== null && venue.longitude !== null
        ? distanceKm(latitude, longitude, venue.latitude, venue.longitude)
        : null;
    let confidence = byName >= VENUE_MIN_SIMILARITY ? byName : 0;
    // a name half right at the very spot is the venue; a name right kilometres away is another branch
    if (near !== null && near <= VENUE_NEAR_KM && byName >= 0.4) confidence = Math.max(confidence, 0.95);
    if (near !== null && near > 25 && confidence > 0) confidence = 0;
    if (confidence > (best?.confidence ?? 0)) best = { venue, confidence };
  }
  return best;
}

interface CityMatch {
  city: City;
  confidence: number;
}

/**
 * The city a place text names: every run of one to three words is looked up, the larger city wins a tie of
 * names, a country word in the text decides between namesakes, and a name in a later comma part (where
 * addresses put the city) is preferred to one inside a venue name.
 */
function cityInText(text: string, latitude: number | null, longitude: number | null): CityMatch | null {
  // the one city always written with a comma before its district: "Washington, DC" is not Washington + DC
  const parts = text
    .replace(/\bwashington,?\s*d\.?\s?c\b\.?/gi, 'Washington DC')
    .split(/[,;\n|()]/)
    .map(foldName)
    .filter(Boolean);
  const countries = new Set<string>();
  for (const part of parts) {
    const words = part.split(' ');
    for (let n = 1; n <= 3; n++)
      for (let i = 0; i + n <= words.length; i++) {
        const code = COUNTRY_WORDS[words.slice(i, i + n).join(' ')];
        if (code && (n > 1 || words[i]!.length > 2 || words.length === 1)) countries.add(code);
      }
  }
  // "Portland, OR", "Springfield, IL": a state or province code decides between namesakes like a country
  const regions = new Set(text.match(/\b[A-Z]{2}\b/g) ?? []);
  let best: (CityMatch & { rank: number }) | null = null;
  parts.forEach((part, partIndex) => {
    const words = part.split(' ').filter((w) => !/^\d+$/.test(w));
    for (let n = Math.min(3, words.length); n >= 1; n--) {
      for (let i = 0; i + n <= words.length; i++) {
        const name = words.slice(i, i + n).join(' ');
        if (n === 1 && (NOT_A_CITY.has(name) || name.length < 3)) continue;
        const wholePart = n === words.length;
        for (const city of citiesNamed(name).slice(0, 20)) {
          const countryHint = countries.has(city.country) || (REGIONAL.has(city.country) && regions.has(city.region));
          if (countries.size > 0 && !countryHint && city.population < 500_000) continue;
          // a lone common word must be a real city, not a hamlet of that name
          if (!wholePart && !countryHint && city.population < 50_000) continue;
          const nearFeed =
            latitude !== null && longitude !== null ? distanceKm(latitude, longitude, city.latitude, city.longitude) < 40 : false;
          const rank =
            Math.log10(city.population + 10) +
            (countryHint ? 3 : 0) +
            (nearFeed ? 5 : 0) +
            (wholePart ? 1 : 0) +
            n * 0.5 +
            (partIndex / Math.max(1, parts.length - 1)) * 0.5;
          if (!best || rank > best.rank) {
            const confidence = Math.min(
              0.8,
              0.4 +
                (countryHint ? 0.2 : 0) +
                (wholePart ? 0.1 : 0) +
                (city.population >= 100_000 ? 0.1 : 0) +
                (nearFeed ? 0.2 : 0),
            );
            best = { city, confidence, rank };
          }
        }
      }
    }
  });
  if (!best) return null;
  const { city, confidence } = best;
  return { city, confidence };
}

/** the nearest city of some size within 30 km, for places given only as coordinates */
function nearestCity(latitude: number, longitude: number): City | null {
  const cell = encodeGeohash(latitude, longitude, 3);
  let best: { city: City; score: number } | null = null;
  for (const c of [cell, ...neighbourCells(cell)]) {
    for (const city of citiesInCell(c)) {
      const km = distanceKm(latitude, longitude, city.latitude, city.longitude);
      if (km > 30) continue;
      // a big city a little further away is what people name, not the village next door
      const score = Math.log10(city.population + 10) - km / 5;
      if (!best || score > best.score) best = { city, score };
    }
  }
  return best?.city ?? null;
}

/**
 * Whether coordinates are a city's centre as the gazetteer gives it: a place geocoded from its city name only.
 * Such a place says "somewhere in this city", not "at this spot", and is compared as such.
 */
export function isCityCentre(latitude: number, longitude: number, city: string | null): boolean {
  if (!city) return false;
  return citiesNamed(foldName(city)).some((c) => distanceKm(latitude, longitude, c.latitude, c.longitude) < 0.05);
}
