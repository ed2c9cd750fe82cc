/**
 * Closed-loop HTTP load generator, run in its own process (forked by query-latency.ts).
 * `concurrency` virtual users each keep exactly one request in flight over a keep-alive
 * connection of their own (node:http Agent, maxSockets = concurrency) and send the next one as soon
 * as the previous answer has been read completely. Latencies are recorded per request after a warm-up.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadJob {
  url: string;
  headers: Record<string, string>;
  /** JSON request bodies, used round-robin */
  bodies: string[];
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** a response counts as an error unless its status is 200 and its body contains this and no `"errors"` */
  expect: string;
}

export interface LoadResult {
  concurrency: number;
  durationMs: number;
  requests: number;
  /** failed requests of the measured window, rate-limit refusals included */
  errors: number;
  /** of `errors`: HTTP 429 (the gateway's rate limiter refused the request) */
  rateLimited: number;
  errorSamples: string[];
  rps: number;
  /** request latencies in ms of the measured window */
  latencies: number[];
  clientCpuMs: number;
}

export function send(
  agent: http.Agent,
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...headers, 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function runLoad(job: LoadJob, onMeasuring: () => void = () => {}): Promise<LoadResult> {
  const url = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency, maxFreeSockets: job.concurrency });
  const headers = { 'content-type': 'application/json', ...job.headers };
  const bodies = job.bodies.map((b) => Buffer.from(b));
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let rateLimited = 0;
  let next = 0;
  let measuring = false;
  const start = performance.now();
  const measureFrom = start + job.warmupMs;
  const stopAt = measureFrom + job.durationMs;
  let cpuAtMeasure = process.cpuUsage();

  const timer = setTimeout(() => {
    measuring = true;
    cpuAtMeasure = process.cpuUsage();
    onMeasuring();
  }, job.warmupMs);

  const user = async () => {
    while (performance.now() < stopAt) {
      const body = bodies[next++ % bodies.length]!;
      const t0 = performance.now();
      let ok = false;
      let limited = false;
      let detail = '';
      try {
        const { status, text } = await send(agent, url, headers, body);
        limited = status === 429;
        ok = status === 200 && text.includes(job.expect) && !text.includes('"errors"');
        if (!ok) detail = `${status} ${text.slice(0, 200)}`;
      } catch (err) {
        detail = err instanceof Error ? err.message : String(err);
      }
      const t1 = performance.now();
      // a response counts when it completes in the window: counting only those also sent in it would
      // drop one response per connection, a large share when answers take a good part of the window
      if (t1 >= measureFrom && t1 <= stopAt) {
        if (ok) latencies.push(t1 - t0);
        else {
          errors++;
          if (limited) rateLimited++;
          if (errorSamples.length < 5) errorSamples.push(detail);
        }
      } else if (!ok && errorSamples.length < 5) {
        errorSamples.push(`(warm-up) ${detail}`);
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, user));
  clearTimeout(timer);
  if (!measuring) onMeasuring();
  const cpu = process.cpuUsage(cpuAtMeasure);
  agent.destroy();
  return {
    concurrency: job.concurrency,
    durationMs: job.durationMs,
    requests: latencies.length + errors,
    errors,
    rateLimited,
    errorSamples,
    rps: latencies.length / (job.durationMs / 1000),
    latencies,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

if (require.main === module && process.send) {
  process.on('message', (job: LoadJob) => {
    runLoad(job, () => process.send!({ type: 'measuring' }))
      .then((result) => process.send!({ type: 'result', result }))
      .catch((err: unknown) =>
        process.send!({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
}
