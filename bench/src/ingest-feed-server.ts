/**
 * The partners' feed servers of the ingest throughput bench, in a process of their own (forkWorker) so that
 * making the feeds costs the measured process nothing: `/a?page=n` is source A's JSON API, `/b?page=n` source
 * B's, pages generated on request from ingest-feed-data.ts. Told `{ existing, incoming, pageSize }`, it answers
 * `{ type: 'result', result: { port } }`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sourceAItem, sourceBItem } from './ingest-feed-data';

interface Start {
  existing: number;
  incoming: number;
  pageSize: number;
}

function page(path: string, pageNo: number, { existing, incoming, pageSize }: Start): unknown {
  const from = pageNo * pageSize;
  if (path === '/a') {
    const to = Math.min(existing, from + pageSize);
    const events = [];
    for (let i = from; i < to; i++) events.push(sourceAItem(i));
    return { events, next: to < existing ? `/a?page=${pageNo + 1}` : null };
  }
  if (path === '/b') {
    const to = Math.min(incoming, from + pageSize);
    const items = [];
    for (let k = from; k < to; k++) items.push(sourceBItem(k, existing));
    return { data: { items, paging: { next: to < incoming ? `/b?page=${pageNo + 1}` : null } } };
  }
  return null;
}

process.on('message', (start: Start) => {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://feeds.local');
    const body = page(url.pathname, Number(url.searchParams.get('page') ?? 0), start);
    if (body === null) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  });
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ type: 'result', result: { port: (server.address() as AddressInfo).port } });
  });
});
process.on('disconnect', () => process.exit(0));
