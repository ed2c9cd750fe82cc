// A gate scanner: listens to the series' check-in feed and scans wristbands at its gate.
//
//   npx tsx examples/scanner-device.ts --series <id> --gate <id> [--exit] [--follow] <nfcId> [<nfcId> …]
//   (or EVENTGRAPH_SERIES / EVENTGRAPH_GATE)
//
// Without a series and gate it creates a demo event (gate, active series of
// capacity 2, two wristbands) and scans a scripted sequence. Every scan answers
// allowed or denied with a reason; the feed (checkInRecorded) shows the scans of
// every device of the series, this one included. --follow keeps the feed open
// until Ctrl+C.
import { CheckInDocument, CheckInRecordedDocument, type CheckInFieldsFragment, type ScanDirection } from '@eventgraph/sdk';
import { consume, flag, parseFlags, runCli, settle, type ExampleContext } from './lib/common';
import { createDemoGate } from './lib/demo';

export interface Scan {
  nfcId: string;
  direction: ScanDirection;
}

export interface ScannerOptions extends ExampleContext {
  seriesId?: string;
  gateId?: string;
  /** wristbands to scan, in order; a scripted demo sequence when no series/gate is given */
  scans?: Scan[];
  /** keep printing the feed after the scans, until `signal` */
  follow?: boolean;
  /** resolves once the feed subscription is live (default: a short pause; graphql-ws has no subscription ack) */
  ready?: () => Promise<void>;
  /** how long to wait for the feed to show this device's scans */
  feedTimeoutMs?: number;
}

export const describeCheckIn = (c: Pick<CheckInFieldsFragment, 'allowed' | 'reason' | 'direction' | 'nfcId'>) =>
  `${c.allowed ? 'ALLOWED' : `DENIED ${c.reason ?? ''}`.trim()} ${c.direction} ${c.nfcId}`;

export async function main(options: ScannerOptions) {
  const { client, print = console.log, signal } = options;
  let { seriesId, gateId, scans = [] } = options;

  if (!seriesId || !gateId) {
    const demo = await createDemoGate(client);
    ({ id: seriesId } = demo.series);
    ({ id: gateId } = demo.gate);
    const [ga, vip] = demo.wristbands as [(typeof demo.wristbands)[number], (typeof demo.wristbands)[number]];
    print(`No series/gate given: created demo event "${demo.event.title}" at ${demo.venue.name}`);
    print(`  series ${seriesId} (Day 1, capacity 2, ACTIVE), gate ${gateId} (Main)`);
    print(`  wristbands ${ga.nfcId} (${ga.category}), ${vip.nfcId} (${vip.category})`);
    print(`  run again with: npx tsx examples/scanner-device.ts --series ${seriesId} --gate ${gateId} ${ga.nfcId}`);
    print('');
    scans = [
      { nfcId: ga.nfcId, direction: 'ENTRY' }, // allowed
      { nfcId: ga.nfcId, direction: 'ENTRY' }, // denied: already inside
      { nfcId: '04:FF:UNKNOWN', direction: 'ENTRY' }, // denied: unknown wristband
      { nfcId: vip.nfcId, direction: 'EXIT' }, // denied: not inside
      { nfcId: ga.nfcId, direction: 'EXIT' }, // allowed
    ];
  }

  const feed = client.subscribe(CheckInRecordedDocument, { seriesId });
  const fed: CheckInFieldsFragment[] = [];
  const results: CheckInFieldsFragment[] = [];
  // settles with the error that ended the feed (if any): reported at the end, never as an unhandled rejection
  let feedEnded: Promise<unknown> | undefined;
  try {
    await (options.ready ?? (() => settle()))();
    print(`Scanner at gate ${gateId}, series ${seriesId}`);
    const mine = new Set<string>();
    const echoed = () => fed.filter((f) => mine.has(f.id)).length;
    let announce = () => {};
    const allEchoed = new Promise<void>((resolve) => (announce = resolve));
    feedEnded = consume(feed, {
      signal,
      onItem: ({ checkInRecorded: c }) => {
        fed.push(c);
        print(`  feed: ${describeCheckIn(c)} at ${c.gate.name} (${c.scannedAt})`);
        if (scans.length && echoed() === scans.length) announce();
      },
    }).then(
      () => undefined,
      (err: unknown) => {
        announce();
        return err;
      },
    );

    for (const scan of scans) {
      const { checkIn } = await client.request(CheckInDocument, { input: { seriesId, gateId, ...scan } });
      mine.add(checkIn.id);
      results.push(checkIn);
      print(`scan: ${describeCheckIn(checkIn)}${checkIn.wristband ? ` (${checkIn.wristband.category})` : ''}`);
    }
    if (echoed() === scans.length) announce();

    // the feed echoes this device's scans; wait for them (bounded), then stop unless following
    const timeout = options.feedTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([allEchoed, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)))]);
    clearTimeout(timer);
    if (echoed() < scans.length) print(`(feed showed ${echoed()} of ${scans.length} scans within ${timeout} ms)`);
    if (options.follow && !signal?.aborted) {
      print('following the feed; Ctrl+C to stop');
      await feedEnded;
    }
  } finally {
    await feed.return();
  }
  const feedError = await feedEnded;
  if (feedError) throw feedError;
  return { seriesId, gateId, results, feed: fed };
}

if (require.main === module) {
  runCli((ctx, argv) => {
    const { flags, positional } = parseFlags(argv);
    const direction: ScanDirection = flags.exit ? 'EXIT' : 'ENTRY';
    return main({
      ...ctx,
      seriesId: flag(flags, 'series') ?? process.env.EVENTGRAPH_SERIES,
      gateId: flag(flags, 'gate') ?? process.env.EVENTGRAPH_GATE,
      scans: positional.map((nfcId) => ({ nfcId, direction })),
      follow: flags.follow === true,
    });
  });
}
