import { activateSeries } from './demo-data';
import { addMember, as, createOrganization, signUp, type Account } from './accounts';
import type { TestPlatform } from './test-platform';

/**
 * Two organisations for the cross-organisation probe: B with a record of every kind (private where the
 * kind can be), A with one principal of every kind. B's secret values are what must never reach A.
 */

export interface OrganisationB {
  owner: Account;
  member: Account;
  /** record ids by kind, as the probe fills arguments (eventId, seriesId, …) */
  ids: Record<string, string>;
  /** values A must never read: private ids, names, emails, NFC ids, URLs */
  secrets: string[];
  /** a sold-out public ticket type of B's sale with B's owner on its waitlist (what the waitlist's live stream follows) */
  soldOutType: string;
}

export interface Principals {
  /** A's callers: the owner and a viewer (users), an API key with every scope, a scanner device, anonymous */
  tokens: Record<string, string | null>;
  organizationId: string;
}

const run = async (platform: TestPlatform, who: Account | null, query: string, variables: Record<string, unknown> = {}) => {
  const { body } = who ? await as(platform, who)(query, variables) : await platform.request(query, variables);
  if (body.errors) throw new Error(`${query.slice(0, 80)}: ${JSON.stringify(body.errors)}`);
  return body.data as Record<string, any>;
};

async function poll<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await attempt();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`probe world: ${what} did not appear within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function buildOrganisationB(platform: TestPlatform, tag: string): Promise<OrganisationB> {
  const owner = await signUp(platform, `b-owner-${tag}`);
  const member = await signUp(platform, `b-member-${tag}`);
  const b = (query: string, variables?: Record<string, unknown>) => run(platform, owner, query, variables);
  const ids: Record<string, string> = { user: owner.id, member: member.id };
  ids.organization = await createOrganization(platform, owner, `org-b-${tag}`);
  ids.membership = await addMember(platform, owner, ids.organization, member, 'VIEWER');
  ids.invitation = (
    await b(
      `mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, email: $e, role: MEMBER) { invitation { id } } }`,
      {
        o: ids.organization,
        e: `b-invitee-${tag}@example.com`,
      },
    )
  ).inviteMember.invitation.id;
  ids.venue = (
    await b(`mutation($i: CreateVenueInput!) { createVenue(input: $i) { id } }`, {
      // in the cell VENUE_CELL (probe-schema.ts), so the area subscription of venue status can be aimed at it
      i: {
        organizationId: ids.organization,
        name: `B hall ${tag}`,
        slug: `b-hall-${tag}`,
        timeZone: 'Europe/Berlin',
        latitude: 48.137,
        longitude: 11.575,
      },
    })
  ).createVenue.id;
  const title = `B secret gala ${tag}`;
  ids.event = (
    await b(`mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, {
      i: { venueId: ids.venue, title, slug: `b-gala-${tag}`, startsAt: '2027-06-01T18:00:00Z', endsAt: '2027-06-01T23:00:00Z' },
    })
  ).createEvent.id;
  ids.myEvent = (
    await b(`mutation($i: CreateMyEventInput!) { createMyEvent(input: $i) { id } }`, {
      i: {
        title: `B private party ${tag}`,
        slug: `b-party-${tag}`,
        startsAt: '2027-06-02T18:00:00Z',
        endsAt: '2027-06-02T23:00:00Z',
        timeZone: 'Europe/Berlin',
        visibility: 'PRIVATE',
      },
    })
  ).createMyEvent.id;
  ids.gate = (
    await b(`mutation($e: ID!) { createGate(input: { eventId: $e, name: "B north gate", direction: BOTH }) { id } }`, {
      e: ids.event,
    })
  ).createGate.id;
  ids.series = (
    await b(`mutation($i: CreateEventSeriesInput!) { createEventSeries(input: $i) { id } }`, {
      i: {
        eventId: ids.event,
        name: `B night ${tag}`,
        startsAt: new Date(Date.now() - 3_600_000).toISOString(),
        endsAt: new Date(Date.now() + 86_400_000).toISOString(),
        capacity: 50,
        gateIds: [ids.gate],
      },
    })
  ).createEventSeries.id;
  await activateSeries(platform, ids.series!);
  const nfcId = `B-NFC-${tag}`;
  ids.wristband = (
    await b(`mutation($i: CreateWristbandInput!) { createWristband(input: $i) { id } }`, {
      i: { eventId: ids.event, nfcId, category: 'GA', seriesIds: [ids.series] },
    })
  ).createWristband.id;
  const holder = { name: `Bea Holder ${tag}`, email: `bea-${tag}@example.com` };
  await b(`mutation($e: ID!, $d: String!) { importTickets(eventId: $e, source: "tix", format: JSON, data: $d) { created } }`, {
    e: ids.event,
    d: JSON.stringify([{ externalId: `B-T-${tag}`, category: 'GA', holderName: holder.name, holderEmail: holder.email }]),
  });
  ids.ticket = (
    await b(`query($e: ID!) { tickets(eventId: $e, first: 1) { edges { node { id } } } }`, { e: ids.event })
  ).tickets.edges[0].node.id;
  // ticket sales: a type of the unpublished event is B's secret; a purchase from B's public sale is its buyer's
  const backstage = `B backstage ${tag}`;
  const ticketTypeInput = (eventId: string, name: string) => ({
    eventId,
    name,
    priceMinor: 5000,
    currency: 'EUR',
    quantity: 20,
    categories: ['GA'],
  });
  ids.ticketType = (
    await b(`mutation($i: CreateTicketTypeInput!) { createTicketType(input: $i) { id } }`, {
      i: ticketTypeInput(ids.event!, backstage),
    })
  ).createTicketType.id;
  // seats: a layout of B's venue, on sale for B's unpublished event under a type of its own
  const layout = `B layout ${tag}`;
  ids.seatMap = await poll('a seat map of B’s venue (the venue reaching access)', async () => {
    const { body } = await as(platform, owner)(`mutation($i: CreateSeatMapInput!) { createSeatMap(input: $i) { id } }`, {
      i: { venueId: ids.venue, name: layout, rows: [{ section: 'Floor', row: 'A', numbers: ['1', '2', '3'], category: 'GA' }] },
    });
    return (body.data as { createSeatMap?: { id: string } } | null)?.createSeatMap?.id;
  });
  ids.seatedTicketType = (
    await b(`mutation($i: CreateTicketTypeInput!) { createTicketType(input: $i) { id } }`, {
      i: ticketTypeInput(ids.event!, `B seats ${tag}`),
    })
  ).createTicketType.id;
  await b(`mutation($i: AssignSeatMapInput!) { assignSeatMap(input: $i) { id } }`, {
    i: { eventId: ids.event, seatMapId: ids.seatMap, ticketTypes: [{ category: 'GA', ticketTypeId: ids.seatedTicketType }] },
  });
  ids.seat = (
    await b(`query($e: ID!) { event(id: $e) { seats(first: 1) { edges { node { seatId } } } } }`, { e: ids.event })
  ).event.seats.edges[0].node.seatId;
  const openAir = (
    await b(`mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, {
      i: {
        venueId: ids.venue,
        title: `B open air ${tag}`,
        slug: `b-open-air-${tag}`,
        startsAt: '2027-07-01T18:00:00Z',
        endsAt: '2027-07-01T23:00:00Z',
      },
    })
  ).createEvent.id;
  for (const to of ['PUBLISHED', 'ON_SALE'])
    await b(`mutation($e: ID!, $to: EventStatus!) { transitionEvent(id: $e, to: $to) { id } }`, { e: openAir, to });
  const onSale = (
    await b(`mutation($i: CreateTicketTypeInput!) { createTicketType(input: $i) { id } }`, {
      i: ticketTypeInput(openAir, `B GA ${tag}`),
    })
  ).createTicketType.id;
  ids.hold = await poll('a hold of B’s public sale (the sale reaching access)', async () => {
    const { body } = await as(platform, owner)(`mutation($i: CreateHoldInput!) { createHold(input: $i) { id } }`, {
      i: { eventId: openAir, items: [{ ticketTypeId: onSale, quantity: 2 }] },
    });
    return (body.data as { createHold?: { id: string } } | null)?.createHold?.id;
  });
  ids.booking = (
    await b(`mutation($h: ID!) { confirmHold(holdId: $h, clientKey: "b-purchase") { id } }`, { h: ids.hold })
  ).confirmHold.id;
  // a sold-out type with B's owner in its line: their entry is theirs alone
  const soldOutType = (
    await b(`mutation($i: CreateTicketTypeInput!) { createTicketType(input: $i) { id } }`, {
      i: { ...ticketTypeInput(openAir, `B queue ${tag}`), quantity: 1 },
    })
  ).createTicketType.id as string;
  const { createHold: lastOne } = await b(`mutation($i: CreateHoldInput!) { createHold(input: $i) { id } }`, {
    i: { eventId: openAir, items: [{ ticketTypeId: soldOutType, quantity: 1 }] },
  });
  await b(`mutation($h: ID!) { confirmHold(holdId: $h, clientKey: "b-last-one") { id } }`, { h: lastOne.id });
  const waitlistEntry = (await b(`mutation($t: ID!) { joinWaitlist(ticketTypeId: $t, quantity: 1) { id } }`, { t: soldOutType }))
    .joinWaitlist.id as string;
  ids.partnerApp = (
    await b(
      `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "B site", whiteLabel: { brandName: "B brand" }) { id } }`,
      {
        o: ids.organization,
      },
    )
  ).createPartnerApp.id;
  ids.apiKey = (
    await b(`mutation($a: ID!) { createApiKey(partnerAppId: $a, name: "B key", scopes: ["org:read"]) { apiKey { id } } }`, {
      a: ids.partnerApp,
    })
  ).createApiKey.apiKey.id;
  ids.device = (
    await b(
      `mutation($o: ID!, $g: [ID!]!) { registerDevice(organizationId: $o, name: "B scanner", gateIds: $g) { device { id } } }`,
      {
        o: ids.organization,
        g: [ids.gate],
      },
    )
  ).registerDevice.device.id;
  const hookUrl = `http://127.0.0.1:9/b-hooks-${tag}`;
  ids.webhook = (
    await b(`mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } } }`, {
      i: { organizationId: ids.organization, url: hookUrl, eventTypes: ['checkin.recorded'] },
    })
  ).createWebhookEndpoint.endpoint.id;
  ids.checkIn = (
    await b(`mutation($s: ID!, $g: ID!, $n: String!) { checkIn(input: { seriesId: $s, gateId: $g, nfcId: $n }) { id } }`, {
      s: ids.series,
      g: ids.gate,
      n: nfcId,
    })
  ).checkIn.id;
  ids.delivery = await poll('a webhook delivery of B', async () => {
    const { webhookDeliveries } = await b(
      `query($w: ID!) { webhookDeliveries(endpointId: $w, first: 1) { edges { node { id } } } }`,
      {
        w: ids.webhook,
      },
    );
    return webhookDeliveries.edges[0]?.node.id as string | undefined;
  });
  ids.source = (
    await b(`mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }`, {
      i: { organizationId: ids.organization, name: `B feed ${tag}`, kind: 'ICAL' },
    })
  ).createSource.id;
  ids.fetchRun = (await uploadCalendar(platform, owner, ids.source!, tag)).fetchRunId;
  const [{ node: record }] = (
    await b(`query($s: ID!) { source(id: $s) { records(first: 1) { edges { node { id canonicalEventId } } } } }`, {
      s: ids.source,
    })
  ).source.records.edges;
  ids.sourceRecord = record.id;
  // the canonical (public) event the record became: the platform's, not B's, so its id is public
  ids.canonicalEvent = record.canonicalEventId;
  ids.savedSearch = (await b(`mutation { saveSearch(name: "B saved ${tag}", filter: { text: "gala" }) { id } }`)).saveSearch.id;
  // a notification of B's owner: they ask to hear of a word, and B publishes an event with it
  await b(`mutation { setNotificationPreferences(input: { keywords: ["bnotice"] }) { keywords } }`);
  const notice = (
    await b(`mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, {
      i: {
        venueId: ids.venue,
        title: `Bnotice ${tag}`,
        slug: `bnotice-${tag}`,
        startsAt: '2031-03-01T18:00:00Z',
        endsAt: '2031-03-01T20:00:00Z',
      },
    })
  ).createEvent.id;
  await b(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: notice });
  for (let tries = 0; !ids.notification && tries < 100; tries++) {
    ids.notification = (await b(`{ notifications(first: 1) { edges { node { id } } } }`)).notifications.edges[0]?.node.id;
    if (!ids.notification) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // a former member of B deleted their account: the receipt is readable by anyone holding its number (it names no one)
  const leaver = await signUp(platform, `b-leaver-${tag}`);
  ids.erasureReceipt = (
    await run(platform, leaver, `mutation($c: String!) { deleteMyAccount(confirm: $c) { id } }`, { c: leaver.email })
  ).deleteMyAccount.id;
  // the organisation's id, name and venue are public, like its owner's profile: everything else is B's alone
  const publicIds = new Set([ids.organization, ids.venue, ids.user, ids.member, ids.canonicalEvent, ids.erasureReceipt]);
  const secrets = [
    ...Object.values(ids).filter((id) => !publicIds.has(id)),
    title,
    nfcId,
    holder.name,
    holder.email,
    waitlistEntry,
    backstage,
    layout,
    hookUrl,
    owner.email,
    member.email,
    `b-invitee-${tag}@example.com`,
    `B feed ${tag}`,
    `B night ${tag}`,
  ];
  return { owner, member, ids, secrets, soldOutType };
}

/** Organisation A's principals: every kind of caller the gateway knows, all of them strangers to B. */
export async function buildPrincipalsOfA(platform: TestPlatform, tag: string): Promise<Principals> {
  const owner = await signUp(platform, `a-owner-${tag}`);
  const viewer = await signUp(platform, `a-viewer-${tag}`);
  const a = (query: string, variables?: Record<string, unknown>) => run(platform, owner, query, variables);
  const organizationId = await createOrganization(platform, owner, `org-a-${tag}`);
  await addMember(platform, owner, organizationId, viewer, 'VIEWER');
  const venue = (
    await a(`mutation($i: CreateVenueInput!) { createVenue(input: $i) { id } }`, {
      i: { organizationId, name: 'A hall', slug: `a-hall-${tag}`, timeZone: 'Europe/Berlin' },
    })
  ).createVenue.id;
  const event = (
    await a(`mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, {
      i: {
        venueId: venue,
        title: 'A fair',
        slug: `a-fair-${tag}`,
        startsAt: '2027-06-01T18:00:00Z',
        endsAt: '2027-06-01T23:00:00Z',
      },
    })
  ).createEvent.id;
  const gate = (
    await a(`mutation($e: ID!) { createGate(input: { eventId: $e, name: "A gate", direction: BOTH }) { id } }`, { e: event })
  ).createGate.id;
  const app = (
    await a(`mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "A site", whiteLabel: { brandName: "A" }) { id } }`, {
      o: organizationId,
    })
  ).createPartnerApp.id;
  const apiKey = (
    await a(
      `mutation($a: ID!) { createApiKey(partnerAppId: $a, name: "A key", scopes: ["events:read", "org:read", "org:write", "scan"], rateLimitPerMinute: 100000) { secret } }`,
      { a: app },
    )
  ).createApiKey.secret as string;
  const provisioning = (
    await a(
      `mutation($o: ID!, $g: [ID!]!) { registerDevice(organizationId: $o, name: "A scanner", gateIds: $g) { provisioningToken } }`,
      {
        o: organizationId,
        g: [gate],
      },
    )
  ).registerDevice.provisioningToken;
  const device = (
    await run(platform, null, `mutation($t: String!) { provisionDevice(provisioningToken: $t) { credential } }`, {
      t: provisioning,
    })
  ).provisionDevice.credential as string;
  return {
    organizationId,
    tokens: { owner: owner.accessToken, viewer: viewer.accessToken, apiKey, device, anonymous: null },
  };
}

/** Everything of B that a change would show, read by B's owner (volatile counters and timestamps left out). */
export const SNAPSHOT_OF_B = `query($o: ID!, $e: ID!, $my: ID!, $w: ID!, $s: ID!, $src: ID!, $run: ID!, $saved: ID!, $type: ID!, $hold: ID!, $booking: ID!, $map: ID!) {
  organization(id: $o) { name slug memberships { totalCount edges { node { id role user { id } } } } venues { id name timeZone } }
  invitations(organizationId: $o) { totalCount edges { node { id email role state } } }
  event(id: $e) { id title status visibility startsAt endsAt gates { id name direction }
    series { id name status capacity startsAt endsAt entryRule gates { id } categoryLimits { category capacity } } }
  myEvent: event(id: $my) { id title status visibility }
  wristbands(eventId: $e, first: 20) { totalCount edges { node { id nfcId category status assignedSeries { id } } } }
  tickets(eventId: $e, first: 20) { totalCount edges { node { id externalId status holderName holderEmail } } }
  ticketType(id: $type) { id name quantity sold held priceMinor currency visibility }
  hold(id: $hold) { id status }
  seatMap(id: $map) { id name seatCount }
  booking(id: $booking) { id status paymentStatus tickets { id code status } }
  checkIns(seriesId: $s, first: 20) { totalCount edges { node { id allowed nfcId } } }
  partnerApps(organizationId: $o) { id name trustedDocumentsOnly trustedDocumentHashes whiteLabel { brandName } apiKeys { id name scopes active } }
  devices(organizationId: $o) { totalCount edges { node { id name allowedGateIds active } } }
  webhookEndpoints(organizationId: $o) { id url eventTypes enabled }
  webhookDeliveries(endpointId: $w) { totalCount edges { node { id topic } } }
  source(id: $src) { id name url }
  fetchRun(id: $run) { id status counts { found } }
  savedSearch(id: $saved) { id name }
}`;

export const snapshotVariables = (ids: Record<string, string>) => ({
  o: ids.organization,
  e: ids.event,
  my: ids.myEvent,
  w: ids.webhook,
  s: ids.series,
  src: ids.source,
  run: ids.fetchRun,
  saved: ids.savedSearch,
  type: ids.ticketType,
  hold: ids.hold,
  booking: ids.booking,
  map: ids.seatMap,
});

/** An iCalendar file uploaded to a source through the gateway (a fetch run of it), as its operator. */
export async function uploadCalendar(platform: TestPlatform, operator: Account, sourceId: string, tag: string) {
  const response = await fetch(`${new URL(platform.gateway.url).origin}/ingest/sources/${sourceId}/upload`, {
    method: 'POST',
    headers: { 'content-type': 'text/calendar', authorization: `Bearer ${operator.accessToken}` },
    body: [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//probe//EN',
      'BEGIN:VEVENT',
      `UID:b-${tag}-${Date.now()}@probe`,
      'DTSTAMP:20270101T000000Z',
      'DTSTART:20310101T100000Z',
      `SUMMARY:B listing ${tag}`,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n'),
  });
  if (response.status !== 200) throw new Error(`upload failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { fetchRunId: string };
}
