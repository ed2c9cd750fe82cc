import type { EventSearchFilter, EventSort } from './generated/graphql';

/** The search form's fields, as they sit in the page's query string (so a search can be bookmarked and shared). */
export interface SearchFields {
  q: string;
  from: string;
  to: string;
  category: string;
  lat: string;
  lon: string;
  km: string;
  sort: EventSort;
}

const SORTS: readonly EventSort[] = ['START', 'DISTANCE', 'RELEVANCE'];

export function fieldsOf(query: URLSearchParams): SearchFields {
  const sort = query.get('sort') as EventSort | null;
  return {
    q: query.get('q') ?? '',
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
    category: query.get('category') ?? '',
    lat: query.get('lat') ?? '',
    lon: query.get('lon') ?? '',
    km: query.get('km') ?? '',
    sort: sort && SORTS.includes(sort) ? sort : 'START',
  };
}

export function queryOf(fields: SearchFields): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(fields))
    if (value && !(name === 'sort' && value === 'START')) query.set(name, value);
  const text = query.toString();
  return text ? `/?${text}` : '/';
}

/**
 * The API's filter for the fields. Dates are the visitor's local days; without a first day the site lists what has
 * not ended yet. A distance needs all of latitude, longitude and radius; the API checks their ranges.
 */
export function filterOf(fields: SearchFields, timeZone: string, now = new Date()): EventSearchFilter {
  const filter: EventSearchFilter = {};
  if (fields.q.trim()) filter.text = fields.q.trim();
  if (fields.from) filter.fromDate = fields.from;
  else filter.from = now.toISOString();
  if (fields.to) filter.toDate = fields.to;
  if (fields.from || fields.to) filter.timeZone = timeZone;
  if (fields.category.trim()) filter.categories = [fields.category.trim().toLowerCase()];
  if (fields.lat && fields.lon && fields.km)
    filter.near = { latitude: Number(fields.lat), longitude: Number(fields.lon), radiusKm: Number(fields.km) };
  return filter;
}
