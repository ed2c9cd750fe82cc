/**
 * The public face of a canonical event: the fields `events` shows, and the three bus messages that carry them
 * (`ingest.public_event.upserted` / `.cancelled` / `.withdrawn`). Consumers apply a message only if its version is
 * newer than the one they hold, so a redelivery changes nothing.
 */

export interface PublicFields {
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date | null;
  allDay: boolean;
  timeZone: string | null;
  placeText: string | null;
  venueName: string | null;
  venueId: string | null;
  city: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  cell: string | null;
  url: string | null;
  imageUrl: string | null;
  categories: string[];
}

const COMPARED: (keyof PublicFields)[] = [
  'title',
  'description',
  'startsAt',
  'endsAt',
  'allDay',
  'timeZone',
  'placeText',
  'venueName',
  'venueId',
  'city',
  'country',
  'latitude',
  'longitude',
  'cell',
  'url',
  'imageUrl',
  'categories',
];

const comparable = (value: unknown): unknown =>
  value instanceof Date ? value.getTime() : Array.isArray(value) ? JSON.stringify(value) : (value ?? null);

export function publicFieldsDiffer(a: PublicFields, b: PublicFields): boolean {
  return COMPARED.some((key) => comparable(a[key]) !== comparable(b[key]));
}

export const PUBLIC_EVENT_TOPICS = {
  UPSERTED: 'ingest.public_event.upserted',
  CANCELLED: 'ingest.public_event.cancelled',
  WITHDRAWN: 'ingest.public_event.withdrawn',
} as const;

export function upsertedPayload(canonicalEventId: string, version: number, f: PublicFields, sourceCount: number) {
  return {
    canonicalEventId,
    version,
    title: f.title,
    description: f.description,
    startsAt: f.startsAt.toISOString(),
    endsAt: f.endsAt?.toISOString() ?? null,
    allDay: f.allDay,
    timeZone: f.timeZone,
    place: {
      text: f.placeText,
      venueName: f.venueName,
      city: f.city,
      country: f.country,
      latitude: f.latitude,
      longitude: f.longitude,
    },
    url: f.url,
    imageUrl: f.imageUrl,
    categories: f.categories,
    sourceCount,
  };
}
