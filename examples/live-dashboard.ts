// A live dashboard: an organisation's events now, then every change as it happens (eventChanged).
//
//   npx tsx examples/live-dashboard.ts [organization id] [--count n]     (or EVENTGRAPH_ORG=…)
//
// With an organisation it follows changes until Ctrl+C (or n changes). Without
// one it creates a demo organisation, then an event that it moves along its
// lifecycle, so there is something to watch; it stops after those changes.
import { CreateEventDocument, EventChangedDocument, EventsDocument, type EventChangedSubscription } from '@eventgraph/sdk';
import { consume, flag, parseFlags, runCli, settle, type ExampleContext } from './lib/common';
import { createDemoOrganization, moveEventTo } from './lib/demo';

export interface DashboardOptions extends ExampleContext {
  organizationId?: string;
  /** stop after this many changes (default: follow until `signal`; 3 in the demo) */
  count?: number;
  /** resolves once the subscription is live (default: a short pause; graphql-ws has no subscription ack) */
  ready?: () => Promise<void>;
  /** give up waiting for changes after this long (default: no limit; 10 s in the demo) */
  timeoutMs?: number;
}

type Change = EventChangedSubscription['eventChanged'];

const KIND = { CREATED: 'created', UPDATED: 'changed', STATUS_CHANGED: 'now' } as const;

export const describeChange = ({ kind, event }: Change) =>
  event
    ? `${KIND[kind]}${kind === 'STATUS_CHANGED' ? ` ${event.status}` : ''} — ${event.title} at ${event.venue?.name} (${event.startsAt.slice(0, 10)})`
    : `${KIND[kind]} — an event since deleted`;

export async function main(options: DashboardOptions) {
  const { client, print = console.log, signal } = options;
  let { organizationId, count, timeoutMs } = options;
  let produce: (() => Promise<void>) | undefined;

  if (!organizationId) {
    const demo = await createDemoOrganization(client);
    organizationId = demo.organization.id;
    print(`No organisation given: created demo organisation "${demo.organization.name}" (${organizationId})`);
    print(`  after subscribing, this run creates an event there and moves it DRAFT → PUBLISHED → ON_SALE`);
    print(`  watch it from another terminal with: npx tsx examples/live-dashboard.ts ${organizationId}`);
    print('');
    count ??= 3;
    timeoutMs ??= 10_000;
    produce = async () => {
      const { createEvent } = await client.request(CreateEventDocument, {
        input: {
          venueId: demo.venue.id,
          title: 'Night Market',
          slug: `night-market-${demo.tag}`,
          startsAt: '2027-09-04T17:00:00Z',
          endsAt: '2027-09-04T23:00:00Z',
        },
      });
      await moveEventTo(client, createEvent.id, 'ON_SALE');
    };
  }

  const { events: page } = await client.request(EventsDocument, { organizationId, first: 100 });
  const events = page.edges.map((edge) => edge.node);
  print(`Dashboard for organisation ${organizationId}: ${page.totalCount} event(s)`);
  for (const e of events) print(`  ${e.status.padEnd(9)} ${e.title} at ${e.venue?.name} (${e.startsAt.slice(0, 10)})`);

  const stream = client.subscribe(EventChangedDocument, { organizationId });
  const changes: Change[] = [];
  try {
    await (options.ready ?? (() => settle()))();
    print(count ? `Watching for ${count} change(s)…` : 'Watching for changes (Ctrl+C to stop)…');
    // settles with the error that ended the subscription (if any), so it is never an unhandled rejection while producing
    const watched = consume(stream, {
      count,
      timeoutMs,
      signal,
      onItem: ({ eventChanged }) => {
        changes.push(eventChanged);
        print(`  [${new Date().toISOString().slice(11, 19)}] ${describeChange(eventChanged)}`);
      },
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    await produce?.();
    const error = await watched;
    if (error) throw error;
    if (count && changes.length < count) print(`(saw ${changes.length} of ${count} changes before giving up)`);
  } finally {
    await stream.return();
  }
  return { organizationId, events, changes };
}

if (require.main === module) {
  runCli((ctx, argv) => {
    const { flags, positional } = parseFlags(argv);
    const count = flag(flags, 'count');
    return main({
      ...ctx,
      organizationId: positional[0] ?? process.env.EVENTGRAPH_ORG,
      count: count ? Number(count) : undefined,
    });
  });
}
