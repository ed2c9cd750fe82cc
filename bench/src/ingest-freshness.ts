/**
 * `npx tsx bench/src/ingest-freshness.ts`: how long a change in a feed takes to be searchable. The whole platform
 * runs on the PostgreSQL server (memory bus); a feed server on 127.0.0.1 serves an iCalendar feed; each round
 * renames one of its events to a word nobody else has, asks for a run (runSourceNow) and polls searchEvents until
 * the new title is found: fetch → parse → normalise → dedup → stage → outbox → events → search. The first round
 * is an event's first appearance. The source auto-approves, as a trusted source would. Bounded: BENCH_FRESHNESS_ROUNDS
 * (default 15) rounds of at most 30 s. Prints a table; the numbers are written into bench/RESULTS.md by hand.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { machineInfo, ms, startBenchPlatform, summarize } from './common';

// the feed server is on this machine: allow it, as development does
process.env.INGEST_PRIVATE_TARGETS = 'allow';

const ROUNDS = Number(process.env.BENCH_FRESHNESS_ROUNDS ?? 15);
const EVENTS = 20;

async function main() {
  const titles = Array.from({ length: EVENTS }, (_, i) => `Listing ${i}`);
  const feed = () =>
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//eventgraph bench//EN',
      ...titles.flatMap((title, i) => [
        'BEGIN:VEVENT',
        `UID:fresh-${i}@bench`,
        'DTSTAMP:20270101T000000Z',
        `DTSTART;TZID=Europe/Berlin:203107${String(1 + i).padStart(2, '0')}T190000`,
        `SUMMARY:${title}`,
        'LOCATION:Berlin',
        'END:VEVENT',
      ]),
      'END:VCALENDAR',
      '',
    ].join('\r\n');
  const server = createServer((_req, res) => void res.writeHead(200, { 'content-type': 'text/calendar' }).end(feed()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.ics`;
  const platform = await startBenchPlatform('memory');
  try {
    const { createSource } = await platform.data(`mutation($input: CreateSourceInput!) { createSource(input: $input) { id } }`, {
      input: { name: 'Freshness', kind: 'ICAL', url, scheduleSeconds: 0, trust: 'OFFICIAL', autoApproveQuality: 0 },
    });
    const latencies: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const word = `fresh${round}x${Math.random().toString(36).slice(2, 8)}`;
      titles[round % EVENTS] = `Concert ${word}`;
      const started = performance.now();
      await platform.data(`mutation($id: ID!) { runSourceNow(id: $id) { id } }`, { id: createSource.id });
      for (;;) {
        const { searchEvents } = await platform.data(
          `query($f: EventSearchFilter) { searchEvents(filter: $f, first: 1) { edges { node { id } } } }`,
          { f: { text: word } },
        );
        if (searchEvents.edges.length) break;
        if (performance.now() - started > 30_000) throw new Error(`round ${round}: not searchable within 30 s`);
        await new Promise((r) => setTimeout(r, 10));
      }
      latencies.push(performance.now() - started);
    }
    const all = summarize(latencies);
    console.log(machineInfo());
    console.log(`feed change → searchable over ${ROUNDS} rounds (first appearance of an event: ${ms(latencies[0]!)} ms)`);
    console.log(`p50 ${ms(all.p50)} ms · p90 ${ms(all.p90)} ms · max ${ms(all.max)} ms`);
  } finally {
    await platform.stop();
    server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
