// A white-label partner site: an organisation's upcoming public events with their venues.
//
//   npx tsx examples/partner-site.ts [organization id or slug]     (or EVENTGRAPH_ORG=…)
//
// Without an organisation it creates a demo organisation with a programme first.
import {
  OrganizationBySlugDocument,
  OrganizationEventsDocument,
  type EventStatus,
  type OrganizationEventsQuery,
} from '@eventgraph/sdk';
import { localTime, runCli, type ExampleContext } from './lib/common';
import { createDemoProgramme } from './lib/demo';

/** what a public site shows; drafts, closed and archived events stay with the organisation */
const LISTED: readonly EventStatus[] = ['PUBLISHED', 'ON_SALE', 'PAUSED'];
const LABEL: Partial<Record<EventStatus, string>> = { PUBLISHED: 'announced', ON_SALE: 'on sale', PAUSED: 'sales paused' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ListedEvent = NonNullable<OrganizationEventsQuery['organization']>['events'][number];

export interface PartnerSiteOptions extends ExampleContext {
  /** an organisation's id or slug; a demo organisation is created when missing */
  organization?: string;
  now?: Date;
}

export async function main({ client, print = console.log, organization, now = new Date() }: PartnerSiteOptions) {
  let organizationId: string;
  if (!organization) {
    const demo = await createDemoProgramme(client);
    print(`No organisation given: created demo organisation "${demo.organization.name}"`);
    print(`  id ${demo.organization.id}, slug ${demo.organization.slug}, ${demo.events.length} events (one draft, one past)`);
    print(`  run again with: npx tsx examples/partner-site.ts ${demo.organization.slug}`);
    print('');
    organizationId = demo.organization.id;
  } else if (UUID.test(organization)) {
    organizationId = organization;
  } else {
    const { organizationBySlug } = await client.request(OrganizationBySlugDocument, { slug: organization });
    if (!organizationBySlug) throw new Error(`no organisation with slug "${organization}"`);
    organizationId = organizationBySlug.id;
  }

  // one request, two subgraphs: the organisation (users) with its events and venues (events)
  const { organization: org } = await client.request(OrganizationEventsDocument, { organizationId, first: 100 });
  if (!org) throw new Error(`organisation ${organizationId} was not found`);

  const upcoming = org.events
    .filter((e) => LISTED.includes(e.status) && new Date(e.endsAt) >= now)
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt));

  print(`${org.name} — upcoming events`);
  if (!upcoming.length) print('  (nothing announced yet)');
  for (const e of upcoming) {
    const where = [e.venue?.name, e.venue?.city].filter(Boolean).join(', ');
    print(
      `  ${localTime(e.startsAt, e.venue?.timeZone ?? 'UTC')} (${e.venue?.timeZone ?? 'UTC'})  ${e.title} @ ${where}  [${LABEL[e.status] ?? e.status}]`,
    );
  }
  return { organization: { id: org.id, name: org.name, slug: org.slug }, upcoming };
}

if (require.main === module) {
  runCli((ctx, argv) => main({ ...ctx, organization: argv[0] ?? process.env.EVENTGRAPH_ORG }));
}
