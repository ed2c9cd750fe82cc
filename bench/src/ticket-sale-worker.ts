/**
 * The buyers of a sale opening, run in their own process (forked by ticket-sale.ts): `concurrency` virtual
 * users, each with a keep-alive connection of its own, take the next buyer in line and play them to the end —
 * `createHold` for one ticket, and if it is granted `confirmHold` with a client key of that buyer's — then take
 * the next, until every buyer has been answered (closed loop; no warm-up: the opening is the measurement).
 * Every answer is classified: a hold granted, `SOLD_OUT`, a booking, or an error (anything else, HTTP or GraphQL).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { send } from './load-worker';

export interface SaleJob {
  url: string;
  /** one `Authorization` header value per buyer, in the order the buyers arrive */
  authorizations: string[];
  holdQuery: string;
  confirmQuery: string;
  eventId: string;
  ticketTypeId: string;
  concurrency: number;
  /** client keys are `${keyPrefix}-${buyer}` */
  keyPrefix: string;
}

export interface SaleResult {
  buyers: number;
  granted: number;
  soldOut: number;
  confirmed: number;
  /** answers to createHold that were neither a hold nor SOLD_OUT */
  holdErrors: number;
  /** answers to confirmHold that were not a booking */
  confirmErrors: number;
  errorSamples: string[];
  /** latencies (ms) of granted holds, SOLD_OUT answers and confirmations */
  grantedMs: number[];
  soldOutMs: number[];
  confirmMs: number[];
  /** ms from the first request: the last hold granted, the first SOLD_OUT, the last booking, the last answer */
  lastGrantAt: number;
  firstSoldOutAt: number;
  lastConfirmAt: number;
  endAt: number;
  bookingIds: string[];
  clientCpuMs: number;
}

type Answer = { data?: Record<string, any> | null; errors?: Array<{ extensions?: { code?: string } }> };

export async function runSale(job: SaleJob): Promise<SaleResult> {
  const url = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency, maxFreeSockets: job.concurrency });
  const r: SaleResult = {
    buyers: job.authorizations.length,
    granted: 0,
    soldOut: 0,
    confirmed: 0,
    holdErrors: 0,
    confirmErrors: 0,
    errorSamples: [],
    grantedMs: [],
    soldOutMs: [],
    confirmMs: [],
    lastGrantAt: NaN,
    firstSoldOutAt: NaN,
    lastConfirmAt: NaN,
    endAt: NaN,
    bookingIds: [],
    clientCpuMs: 0,
  };
  const sample = (what: string) => void (r.errorSamples.length < 5 && r.errorSamples.push(what));
  const call = async (authorization: string, query: string, variables: Record<string, unknown>) => {
    const body = Buffer.from(JSON.stringify({ query, variables }));
    const t0 = performance.now();
    try {
      const { status, text } = await send(agent, url, { 'content-type': 'application/json', authorization }, body);
      const t1 = performance.now();
      let answer: Answer = {};
      try {
        answer = JSON.parse(text) as Answer;
      } catch {
        // not JSON: counted as an error below
      }
      return { status, text, answer, t0, t1 };
    } catch (err) {
      const t1 = performance.now();
      return { status: 0, text: err instanceof Error ? err.message : String(err), answer: {} as Answer, t0, t1 };
    }
  };

  const cpu = process.cpuUsage();
  const start = performance.now();
  let next = 0;
  const user = async () => {
    for (let buyer = next++; buyer < job.authorizations.length; buyer = next++) {
      const authorization = job.authorizations[buyer]!;
      const hold = await call(authorization, job.holdQuery, {
        input: { eventId: job.eventId, items: [{ ticketTypeId: job.ticketTypeId, quantity: 1 }] },
      });
      const holdId = hold.answer.data?.createHold?.id as string | undefined;
      const code = hold.answer.errors?.[0]?.extensions?.code;
      if (hold.status === 200 && holdId && !hold.answer.errors) {
        r.granted++;
        r.grantedMs.push(hold.t1 - hold.t0);
        r.lastGrantAt = hold.t1 - start;
      } else if (hold.status === 200 && code === 'SOLD_OUT' && hold.answer.errors!.length === 1) {
        r.soldOut++;
        r.soldOutMs.push(hold.t1 - hold.t0);
        if (!(r.firstSoldOutAt <= hold.t1 - start)) r.firstSoldOutAt = hold.t1 - start;
        continue;
      } else {
        r.holdErrors++;
        sample(`createHold ${hold.status} ${hold.text.slice(0, 240)}`);
        continue;
      }
      const confirm = await call(authorization, job.confirmQuery, { holdId, clientKey: `${job.keyPrefix}-${buyer}` });
      const booking = confirm.answer.data?.confirmHold as { id: string; status: string } | undefined;
      if (confirm.status === 200 && booking?.status === 'CONFIRMED' && !confirm.answer.errors) {
        r.confirmed++;
        r.confirmMs.push(confirm.t1 - confirm.t0);
        r.lastConfirmAt = confirm.t1 - start;
        r.bookingIds.push(booking.id);
      } else {
        r.confirmErrors++;
        sample(`confirmHold ${confirm.status} ${confirm.text.slice(0, 240)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, user));
  r.endAt = performance.now() - start;
  const used = process.cpuUsage(cpu);
  r.clientCpuMs = (used.user + used.system) / 1000;
  agent.destroy();
  return r;
}

if (require.main === module && process.send) {
  process.on('message', (job: SaleJob) => {
    runSale(job)
      .then((result) => process.send!({ type: 'result', result }))
      .catch((err: unknown) =>
        process.send!({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
}
