import type { TestPlatform } from '../../../platform/test/support/test-platform';

/** What the partner site test's platform holds: one partner's organisation, events it may and may not show, its app and key. */

export const BRAND = { name: 'Harbour Nights', primary: '#0b6e4f', accent: '#ffd166' };
// a 4×4 SVG logo inline: data: images are allowed by the white-label rules and the site's CSP alike
export const LOGO = `data:image/svg+xml;base64,${Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="#ffd166"/></svg>',
).toString('base64')}`;
export const LISBON = { latitude: 38.7071, longitude: -9.1355 };
export const PORTO = { latitude: 41.1496, longitude: -8.6109 };
/** the partner shows music and talks of its own organisation, PUBLIC only (the default) */
const CATEGORIES = ['music', 'talks'];

/** waits until the gateway answers a preflight from `origin` */
async function answered(gatewayUrl: string, origin: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const preflight = await fetch(gatewayUrl, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    if (preflight.headers.get('access-control-allow-origin') === origin) return;
    if (Date.now() > deadline) throw new Error(`the gateway does not answer ${origin} yet (HTTP ${preflight.status})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tag = () => Math.random().toString(36).slice(2, 8);
const slugOf = (name: string) => `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${tag()}`;

export async function createPartnerWorld(platform: Pick<TestPlatform, 'data' | 'gateway'>) {
  const data = platform.data.bind(platform);

  async function organisation(name: string) {
    const { createUser: owner } = await data(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
      input: { email: `owner-${tag()}@example.com`, displayName: 'Olive Owner' },
    });
    const { createOrganization: org } = await data(
      `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`,
      { input: { name, slug: slugOf(name), ownerId: owner.id } },
    );
    return org.id as string;
  }
  async function venue(organizationId: string, name: string, city: string, at: typeof LISBON) {
    const { createVenue } = await data(`mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, {
      input: {
        organizationId,
        name,
        slug: slugOf(name),
        timeZone: 'Europe/Lisbon',
        city,
        countryCode: 'PT',
        addressLine1: 'Cais do Sodré 1',
        ...at,
      },
    });
    return createVenue.id as string;
  }
  async function event(
    venueId: string,
    title: string,
    startsAt: string,
    categories: string[],
    extra: Record<string, unknown> = {},
  ) {
    const endsAt = new Date(new Date(startsAt).getTime() + 3 * 3600_000).toISOString();
    const { createEvent } = await data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
      input: { venueId, title, slug: slugOf(title), startsAt, endsAt, categories, ...extra },
    });
    return createEvent.id as string;
  }
  const publish = (id: string) => data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { id } }`, { id });

  const orgId = await organisation('Harbour Arts');
  const harbour = await venue(orgId, 'Harbour Hall', 'Lisbon', LISBON);
  const douro = await venue(orgId, 'Douro Stage', 'Porto', PORTO);
  const jazz = { startsAt: '2027-06-05T18:30:00.000Z', id: '' };
  jazz.id = await event(harbour, 'Harbour Jazz Night', jazz.startsAt, ['music'], {
    description: '<p>Late <strong>jazz</strong> by the river</p>',
    organizerContact: { name: 'Harbour Hall box office', email: 'boxoffice@harbour.example', phone: '+351 21 000 0000' },
  });
  const sessions = await Promise.all(
    [1, 2, 3, 4, 5, 6, 7].map((n) => event(harbour, `Riverside Session ${n}`, `2027-07-0${n}T19:00:00.000Z`, ['music'])),
  );
  const talk = await event(douro, 'Porto Wine Talk', '2027-06-10T17:00:00.000Z', ['talks']);
  // out of the partner's scope: a draft, an unlisted event, a category it does not show, another organisation's event
  const hidden = {
    draft: await event(harbour, 'Secret Rehearsal', '2027-06-06T18:00:00.000Z', ['music']),
    unlisted: await event(harbour, 'Unlisted Jam', '2027-06-07T18:00:00.000Z', ['music'], { visibility: 'UNLISTED' }),
    sports: await event(harbour, 'Harbour Regatta', '2027-06-08T10:00:00.000Z', ['sports']),
    outsider: await event(
      await venue(await organisation('Outsider Promotions'), 'Outsider Club', 'Lisbon', LISBON),
      'Outsider Fest',
      '2027-06-05T20:00:00.000Z',
      ['music'],
    ),
  };
  await Promise.all([jazz.id, ...sessions, talk, hidden.unlisted, hidden.sports, hidden.outsider].map(publish));

  const whiteLabel = (origins: string[]) => ({
    brandName: BRAND.name,
    primaryColor: BRAND.primary,
    accentColor: BRAND.accent,
    logoUrl: LOGO,
    allowedOrigins: origins,
    allowedCategories: CATEGORIES,
  });
  const { createPartnerApp } = await data(
    `mutation($o: ID!, $w: WhiteLabelInput!) { createPartnerApp(organizationId: $o, name: "Harbour site", whiteLabel: $w) { id } }`,
    { o: orgId, w: whiteLabel([]) },
  );
  const partnerAppId = createPartnerApp.id as string;
  /** a key of the partner app (events:read), at most `rateLimitPerMinute` requests a minute */
  const newKey = async (rateLimitPerMinute = 600) => {
    const { createApiKey } = await data(
      `mutation($app: ID!, $rpm: Int) { createApiKey(partnerAppId: $app, name: "site", scopes: ["events:read"], rateLimitPerMinute: $rpm) { secret } }`,
      { app: partnerAppId, rpm: rateLimitPerMinute },
    );
    return createApiKey.secret as string;
  };

  return {
    orgId,
    jazz,
    sessions,
    hidden,
    partnerAppId,
    key: await newKey(),
    newKey,
    /**
     * The partner site's origins: the partner app lists them in its white-label configuration, so the gateway answers
     * them. Returns once the gateway does (the change reaches its cache over the bus, after the mutation returns on NATS).
     */
    async allowOrigins(origins: string[]) {
      await data(`mutation($id: ID!, $w: WhiteLabelInput!) { updatePartnerApp(id: $id, whiteLabel: $w) { id } }`, {
        id: partnerAppId,
        w: whiteLabel(origins),
      });
      for (const origin of origins) await answered(platform.gateway.url, origin);
    },
  };
}
