/**
 * Authentication overhead: the same query through the gateway, at the same concurrency, as four kinds
 * of caller — anonymous (no Authorization header), a user access token (HS256 JWT), a partner API key
 * (`egk_…`) and the development credential — so the difference between the rows is what the gateway
 * spends on recognising the caller (gateway/src/auth/). The event is PUBLISHED, so every caller sees
 * the same data; every response is checked (HTTP 200, the expected data, no `errors`), and rate-limit
 * refusals (429) are counted apart from other errors so a misconfigured limit shows at once.
 *
 * The platform runs in this process (PostgreSQL, in-memory bus) with the anonymous/user/device caller
 * buckets raised to 1e9; the API key keeps its own bucket (100,000 requests/min, the maximum) and the
 * run stays below it. Rows run in `rounds` rounds, in alternating order (A B C D, D C B A, …), so drift
 * (JIT warm-up, other load on the machine) does not favour one kind of caller. After the load rows,
 * a micro-benchmark times `authenticate()` itself in this process for each credential (cache warm),
 * its parts (HS256 verification, sha256, rate-limit bucket) and a cache miss (a lookup in the users subgraph).
 *
 * `npx tsx bench/src/auth-overhead.ts` prints the tables and rewrites the "Authentication overhead"
 * section of bench/RESULTS.md (the rest of the file is kept). Environment: BENCH_DURATION_MS,
 * BENCH_WARMUP_MS, BENCH_AUTH_ROUNDS, BENCH_AUTH_CONCURRENCY.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createAuthenticator } from '@eventgraph/gateway/src/auth/authenticator';
import { CallerDirectory } from '@eventgraph/gateway/src/auth/caller-directory';
import { MemoryRateLimiter, type CallerPolicies } from '@eventgraph/gateway/src/rate-limit';
import { signPrincipal, verifyAccessToken, verifyPrincipal, type Principal } from '@eventgraph/runtime';
import { recentMail } from '@eventgraph/subgraph-users/src/mail/mailer';
import {
  benchDir,
  createEvent,
  forkWorker,
  machineInfo,
  ms,
  postgresVersion,
  runWorker,
  seedOrganization,
  startBenchPlatform,
  summarize,
  type BenchPlatform,
  type LatencySummary,
} from './common';
import type { LoadJob, LoadResult } from './load-worker';

export interface AuthBenchOptions {
  events: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  rounds: number;
  /** before the first round, each caller runs this long unrecorded (JIT, query plans, caches) */
  preWarmMs: number;
  /** calls per credential in the in-process micro-benchmark of `authenticate()` */
  microCalls: number;
  /** cache-miss lookups timed per kind of credential */
  missLookups: number;
}

export const DEFAULT_AUTH_OPTIONS: AuthBenchOptions = {
  events: 50,
  concurrency: Number(process.env.BENCH_AUTH_CONCURRENCY ?? 16),
  warmupMs: Number(process.env.BENCH_WARMUP_MS ?? 2_000),
  durationMs: Number(process.env.BENCH_DURATION_MS ?? 10_000),
  rounds: Number(process.env.BENCH_AUTH_ROUNDS ?? 4),
  preWarmMs: Number(process.env.BENCH_WARMUP_MS ?? 2_000),
  microCalls: 20_000,
  missLookups: 200,
};

export const AUTH_QUERY = `query Bench($id: ID!) { event(id: $id) { title venue { name } } }`;

/** The key's own bucket is what limits an API key: created at the maximum the users subgraph accepts. */
export const API_KEY_RATE_LIMIT_PER_MINUTE = 100_000;

const UNLIMITED = { capacity: 1e9, refillPerSecond: 1e9 };
/** Raises every caller bucket out of the way (API keys still carry their own limit). */
export const BENCH_CALLER_POLICIES: CallerPolicies = {
  anonymous: UNLIMITED,
  user: UNLIMITED,
  apiKey: UNLIMITED,
  device: UNLIMITED,
  service: undefined,
};

export type CallerKind = 'anonymous' | 'user' | 'apiKey' | 'dev';

export const CALLER_LABELS: Record<CallerKind, string> = {
  anonymous: 'anonymous (no `Authorization`)',
  user: 'user access token (`Bearer <JWT>`)',
  apiKey: 'API key (`Bearer egk_…`)',
  dev: 'development credential (`Bearer eventgraph-dev-token`)',
};

export interface AuthRow extends LatencySummary {
  caller: CallerKind;
  /** measured requests (successful + failed) over all rounds */
  requests: number;
  /** failed requests other than rate-limit refusals */
  errors: number;
  /** HTTP 429 */
  rateLimited: number;
  errorSamples: string[];
  /** successful requests per second over all measured windows */
  rps: number;
  /** req/s of each round */
  roundRps: number[];
  /** p50 of each round */
  roundP50: number[];
  /** platform process CPU ms per successful request */
  serverCpuPerRequestMs: number;
  /** share of one core used by the platform process */
  serverCpu: number;
  clientCpu: number;
}

export interface MicroRow {
  what: string;
  /** µs per call, sequential awaited calls in the platform process */
  microseconds: number;
}

export interface AuthBenchResult {
  options: AuthBenchOptions;
  rows: AuthRow[];
  micro: MicroRow[];
  machine: ReturnType<typeof machineInfo> & { postgres: string };
  startedAt: string;
  tookSeconds: number;
  loadBefore: string;
  loadAfter: string;
}

const ORDER: CallerKind[] = ['anonymous', 'user', 'apiKey', 'dev'];
const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

/** A GraphQL request with the given Authorization (or none); must answer 200 without errors. */
async function call<T = Record<string, any>>(
  platform: BenchPlatform,
  authorization: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const response = await fetch(platform.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (response.status !== 200 || body.errors?.length || !body.data)
    throw new Error(`request failed (${response.status}): ${JSON.stringify(body)}`);
  return body.data;
}

/** Published events, a signed-up user who administers their organisation, a partner app and an API key. */
export async function seedCallers(platform: BenchPlatform, options: AuthBenchOptions, log: (line: string) => void) {
  const tag = Math.random().toString(36).slice(2, 8);
  const { org, venue } = await seedOrganization(platform, tag);
  const ids: string[] = [];
  for (let i = 0; i < options.events; i++) {
    const id = await createEvent(platform, venue.id, `Bench Event ${i}`, `bench-event-${tag}-${i}`);
    await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id });
    ids.push(id);
  }
  const email = `bench-user-${tag}@example.com`;
  await call(platform, undefined, `mutation($input: SignUpInput!) { signUp(input: $input) { accepted } }`, {
    input: { email, password: `correct horse bench ${tag}`, displayName: 'Bench User' },
  });
  // the platform runs in this process: its development mailer kept the verification token
  const token = recentMail(email).find((m) => m.kind === 'verify-email')?.data.token;
  const { verifyEmail: signUp } = await call<{ verifyEmail: { user: { id: string }; accessToken: string } }>(
    platform,
    undefined,
    `mutation($token: String!) { verifyEmail(token: $token) { user { id } accessToken } }`,
    { token },
  );
  await platform.data(`mutation($o: ID!, $u: ID!) { addMember(organizationId: $o, userId: $u, role: ADMIN) { id } }`, {
    o: org.id,
    u: signUp.user.id,
  });
  const asUser = `Bearer ${signUp.accessToken}`;
  const { createPartnerApp: app } = await call<{ createPartnerApp: { id: string } }>(
    platform,
    asUser,
    `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Bench guide", whiteLabel: { brandName: "Bench Guide" }) { id } }`,
    { o: org.id },
  );
  const { createApiKey } = await call<{ createApiKey: { secret: string; apiKey: { rateLimitPerMinute: number } } }>(
    platform,
    asUser,
    `mutation($app: ID!, $rpm: Int) { createApiKey(partnerAppId: $app, name: "bench", scopes: ["events:read"], rateLimitPerMinute: $rpm) { secret apiKey { rateLimitPerMinute } } }`,
    { app: app.id, rpm: API_KEY_RATE_LIMIT_PER_MINUTE },
  );
  if (!createApiKey.secret.startsWith('egk_')) throw new Error(`unexpected API key ${createApiKey.secret.slice(0, 8)}…`);
  log(
    `auth-overhead: seeded ${ids.length} PUBLISHED events, 1 signed-up user (ADMIN of the organisation), 1 partner app, 1 API key (events:read, ${createApiKey.apiKey.rateLimitPerMinute}/min)`,
  );
  const authorization: Record<CallerKind, string | undefined> = {
    anonymous: undefined,
    user: asUser,
    apiKey: `Bearer ${createApiKey.secret}`,
    dev: `Bearer ${platform.devToken}`,
  };
  return { ids, authorization, userId: signUp.user.id, accessToken: signUp.accessToken, apiKey: createApiKey.secret };
}

export async function runAuthOverhead(
  options: AuthBenchOptions = DEFAULT_AUTH_OPTIONS,
  log = console.log,
): Promise<AuthBenchResult> {
  const began = Date.now();
  const loadBefore = loadAverage();
  const machine = { ...machineInfo(), postgres: await postgresVersion() };
  log(`auth-overhead: starting the platform (PostgreSQL, in-memory bus, caller buckets raised)…`);
  const platform = await startBenchPlatform('memory', { callerPolicies: BENCH_CALLER_POLICIES });
  const worker = forkWorker('load-worker.ts');
  try {
    const { ids, authorization, userId, accessToken, apiKey } = await seedCallers(platform, options, log);

    // every kind of caller sees exactly the same data for every event
    const reference = JSON.stringify(await Promise.all(ids.map((id) => call(platform, authorization.dev, AUTH_QUERY, { id }))));
    for (const caller of ORDER) {
      const seen = JSON.stringify(await Promise.all(ids.map((id) => call(platform, authorization[caller], AUTH_QUERY, { id }))));
      if (seen !== reference) throw new Error(`${caller} sees different data: ${seen.slice(0, 300)}`);
    }
    if (!reference.includes('"venue":{"name":"Bench Arena"}')) throw new Error(`unexpected answer ${reference.slice(0, 300)}`);

    // the API key's bucket must hold the whole run: estimate generously (3,000 req/s) and refuse to start otherwise
    const apiKeySeconds = (options.preWarmMs + options.rounds * (options.warmupMs + options.durationMs)) / 1000;
    const refillPerSecond = API_KEY_RATE_LIMIT_PER_MINUTE / 60;
    if (apiKeySeconds * Math.max(0, 3_000 - refillPerSecond) > API_KEY_RATE_LIMIT_PER_MINUTE) {
      throw new Error(
        `the API-key rows (${apiKeySeconds} s) could exceed the key's bucket of ${API_KEY_RATE_LIMIT_PER_MINUTE}; shorten BENCH_DURATION_MS or BENCH_AUTH_ROUNDS`,
      );
    }

    const bodies = ids.map((id) => JSON.stringify({ query: AUTH_QUERY, variables: { id } }));
    const acc = new Map<
      CallerKind,
      {
        latencies: number[];
        requests: number;
        failures: number;
        rateLimited: number;
        samples: string[];
        ok: number;
        serverCpuMs: number;
        clientCpuMs: number;
        measuredMs: number;
        roundRps: number[];
        roundP50: number[];
      }
    >();
    for (const caller of ORDER)
      acc.set(caller, {
        latencies: [],
        requests: 0,
        failures: 0,
        rateLimited: 0,
        samples: [],
        ok: 0,
        serverCpuMs: 0,
        clientCpuMs: 0,
        measuredMs: 0,
        roundRps: [],
        roundP50: [],
      });

    const jobFor = (caller: CallerKind, warmupMs: number, durationMs: number): LoadJob => {
      const auth = authorization[caller];
      return {
        url: platform.gateway.url,
        headers: auth ? { authorization: auth } : {},
        bodies,
        concurrency: options.concurrency,
        warmupMs,
        durationMs,
        expect: '"venue":{"name":"Bench Arena"}',
      };
    };
    if (options.preWarmMs > 0) {
      log(`auth-overhead: pre-warm, ${options.preWarmMs / 1000} s per caller (not recorded)`);
      for (const caller of ORDER) {
        const warm = await runWorker<LoadResult>(worker, jobFor(caller, 0, options.preWarmMs));
        if (warm.errors)
          throw new Error(
            `pre-warm as ${caller}: ${warm.errors} errors (${warm.rateLimited} × 429): ${warm.errorSamples.join(' | ')}`,
          );
      }
    }

    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? ORDER : [...ORDER].reverse();
      for (const caller of order) {
        const job = jobFor(caller, options.warmupMs, options.durationMs);
        let cpu0 = process.cpuUsage();
        const result = await runWorker<LoadResult>(worker, job, (msg) => {
          if (msg?.type === 'measuring') cpu0 = process.cpuUsage();
        });
        const cpu = process.cpuUsage(cpu0);
        const a = acc.get(caller)!;
        for (const l of result.latencies) a.latencies.push(l);
        a.requests += result.requests;
        a.failures += result.errors;
        a.rateLimited += result.rateLimited;
        a.ok += result.latencies.length;
        a.serverCpuMs += (cpu.user + cpu.system) / 1000;
        a.clientCpuMs += result.clientCpuMs;
        a.measuredMs += options.durationMs;
        a.roundRps.push(result.rps);
        const p50 = summarize(result.latencies).p50;
        a.roundP50.push(p50);
        for (const s of result.errorSamples) if (a.samples.length < 5) a.samples.push(s);
        log(
          `  round ${round + 1} ${caller.padEnd(9)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(p50)} ms  errors ${result.errors - result.rateLimited}  429 ${result.rateLimited}  server CPU ${ms(((cpu.user + cpu.system) / 1000 / Math.max(1, result.latencies.length)) * 1000, 0)} µs/req`,
        );
        if (result.errorSamples.length) log(`    error samples: ${result.errorSamples.join(' | ')}`);
      }
    }

    const rows: AuthRow[] = ORDER.map((caller) => {
      const a = acc.get(caller)!;
      return {
        caller,
        ...summarize(a.latencies),
        requests: a.requests,
        errors: a.failures - a.rateLimited,
        rateLimited: a.rateLimited,
        errorSamples: a.samples,
        rps: a.ok / (a.measuredMs / 1000),
        roundRps: a.roundRps,
        roundP50: a.roundP50,
        serverCpuPerRequestMs: a.serverCpuMs / Math.max(1, a.ok),
        serverCpu: a.serverCpuMs / a.measuredMs,
        clientCpu: a.clientCpuMs / a.measuredMs,
      };
    });

    log(`auth-overhead: micro-benchmark of authenticate() in the platform process…`);
    const micro = await microBenchmark(platform, { authorization, userId, accessToken, apiKey }, options);
    for (const m of micro) log(`  ${m.what.padEnd(70)} ${m.microseconds.toFixed(1).padStart(8)} µs`);

    return {
      options,
      rows,
      micro,
      machine,
      startedAt: new Date(began).toISOString(),
      tookSeconds: Math.round((Date.now() - began) / 1000),
      loadBefore,
      loadAfter: loadAverage(),
    };
  } finally {
    worker.kill();
    await platform.stop();
  }
}

/** µs per call of `fn`, `n` sequential awaited calls after `n / 10` warm-up calls. */
async function timeCalls(n: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < Math.ceil(n / 10); i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return ((performance.now() - t0) / n) * 1000;
}

/**
 * What the gateway does per request before the operation runs, timed in isolation: its own
 * `createAuthenticator` over a `CallerDirectory` on the platform's users subgraph (cache warm), the
 * parts of it, and a cache miss (a fresh directory per lookup, so each call asks the users subgraph).
 */
async function microBenchmark(
  platform: BenchPlatform,
  creds: { authorization: Record<CallerKind, string | undefined>; userId: string; accessToken: string; apiKey: string },
  options: AuthBenchOptions,
): Promise<MicroRow[]> {
  const { settings } = platform;
  const usersUrl = platform.subgraphs.users!.url;
  const callers = new CallerDirectory(usersUrl, settings.EVENTGRAPH_PRINCIPAL_SECRET);
  const authenticator = createAuthenticator({ jwtSecret: settings.EVENTGRAPH_JWT_SECRET, devToken: platform.devToken, callers });
  const limiter = new MemoryRateLimiter({ sweepIntervalMs: 0 });
  const n = options.microCalls;
  const rows: MicroRow[] = [];
  try {
    const principals = new Map<CallerKind, Principal>();
    for (const caller of ORDER) {
      const auth = creds.authorization[caller];
      const principal = (await authenticator.authenticate(auth)).principal; // fills the cache
      if (caller !== 'anonymous' && principal.kind === 'anonymous') throw new Error(`${caller} authenticated as anonymous`);
      principals.set(caller, principal);
      rows.push({
        what: `authenticate(): ${CALLER_LABELS[caller]}, cache warm`,
        microseconds: await timeCalls(n, () => authenticator.authenticate(auth)),
      });
    }
    rows.push({
      what: 'of which: verifyAccessToken (jose jwtVerify, HS256, claims)',
      microseconds: await timeCalls(n, () => verifyAccessToken(creds.accessToken, settings.EVENTGRAPH_JWT_SECRET)),
    });
    rows.push({
      what: 'of which: sha256 of the API key (hex)',
      microseconds: await timeCalls(n, () => createHash('sha256').update(creds.apiKey).digest('hex')),
    });
    rows.push({
      what: 'rate limiter: MemoryRateLimiter.take (anonymous, user, API key; not the dev credential)',
      microseconds: await timeCalls(n, () => limiter.take('user:x', UNLIMITED)),
    });
    // per subgraph fetch the gateway signs the principal (HMAC) and the subgraph verifies it: the size depends on the caller
    const secret = settings.EVENTGRAPH_PRINCIPAL_SECRET;
    for (const caller of ORDER) {
      const principal = principals.get(caller)!;
      const bytes = signPrincipal(principal, secret).length;
      rows.push({
        what: `per subgraph fetch: signPrincipal + verifyPrincipal, ${caller} principal (${bytes} B header)`,
        microseconds: await timeCalls(n, () => verifyPrincipal(signPrincipal(principal, secret), secret)),
      });
    }
    const m = options.missLookups;
    rows.push({
      what: 'cache miss, user: _userCaller lookup in the users subgraph (HTTP + Prisma)',
      microseconds: await timeCalls(m, () =>
        new CallerDirectory(usersUrl, settings.EVENTGRAPH_PRINCIPAL_SECRET).user(creds.userId),
      ),
    });
    rows.push({
      what: 'cache miss, API key: _credentialCaller lookup in the users subgraph (HTTP + Prisma + key hash check)',
      microseconds: await timeCalls(m, () =>
        new CallerDirectory(usersUrl, settings.EVENTGRAPH_PRINCIPAL_SECRET).credential(creds.apiKey),
      ),
    });
  } finally {
    callers.close();
    await limiter.close();
  }
  return rows;
}

// ---------------------------------------------------------------- reporting

const pct = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}%`;
const signed = (v: number, digits = 1) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;

export function formatAuthTables(result: AuthBenchResult): string {
  const lines = [
    '| caller | req/s | req/s per round | p50 ms | p50 per round | p90 ms | p99 ms | max ms | errors | 429 | requests | server CPU / request | server CPU | client CPU |',
    '|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of result.rows) {
    lines.push(
      `| ${CALLER_LABELS[r.caller]} | ${r.rps.toFixed(0)} | ${r.roundRps.map((v) => v.toFixed(0)).join(' / ')} | ${ms(r.p50)} | ${r.roundP50.map((v) => ms(v)).join(' / ')} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.errors} | ${r.rateLimited} | ${r.requests} | ${ms(r.serverCpuPerRequestMs * 1000, 0)} µs | ${(r.serverCpu * 100).toFixed(0)}% | ${(r.clientCpu * 100).toFixed(0)}% |`,
    );
  }
  const base = result.rows.find((r) => r.caller === 'anonymous')!;
  lines.push('', '| vs anonymous | Δ p50 ms | Δ p99 ms | Δ throughput | Δ server CPU / request |', '|---|---:|---:|---:|---:|');
  for (const r of result.rows.filter((x) => x.caller !== 'anonymous')) {
    lines.push(
      `| ${CALLER_LABELS[r.caller]} | ${signed(r.p50 - base.p50, 2)} | ${signed(r.p99 - base.p99, 1)} | ${pct((r.rps / base.rps - 1) * 100)} | ${signed((r.serverCpuPerRequestMs - base.serverCpuPerRequestMs) * 1000, 0)} µs |`,
    );
  }
  lines.push('', '| in-process micro-benchmark (sequential, awaited) | µs per call |', '|---|---:|');
  for (const m of result.micro) lines.push(`| ${m.what} | ${m.microseconds.toFixed(1)} |`);
  return lines.join('\n');
}

export const AUTH_SECTION_TITLE = '## 3. Authentication overhead (`bench/src/auth-overhead.ts`)';
export const AUTH_START = '<!-- auth-interpretation -->';
export const AUTH_END = '<!-- /auth-interpretation -->';

/** The generated part of the RESULTS.md section; `kept` is the hand-written block between the auth markers. */
export function formatAuthSection(result: AuthBenchResult, kept: string): string {
  const o = result.options;
  const m = result.machine;
  const errors = result.rows
    .filter((r) => r.errorSamples.length)
    .map((r) => `- ${r.caller}: ${r.errorSamples.map((e) => `\`${e}\``).join(', ')}`);
  return `${AUTH_SECTION_TITLE}

Measured on ${result.startedAt} (took ${result.tookSeconds} s) on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node},
PostgreSQL ${m.postgres}; load average (1/5/15 min) ${result.loadBefore} → ${result.loadAfter}.

Same platform set-up as section 1, but the gateway's per-caller buckets raised to 1e9 (\`startPlatform({ callerPolicies })\`:
the default anonymous bucket, 120 requests + 2/s, would refuse a benchmark within a second). The API key keeps its own
bucket (created with \`rateLimitPerMinute: ${API_KEY_RATE_LIMIT_PER_MINUTE.toLocaleString('en-US')}\`, the maximum; the key's rows stay below it), the development
credential is a \`service\` principal and is never rate limited. ${o.events} PUBLISHED events, so every caller sees the same data
(checked before the run: identical answers for all ${o.events} ids). Every caller sends

\`\`\`graphql
${AUTH_QUERY}
\`\`\`

through the gateway, closed loop at concurrency ${o.concurrency}, ${o.warmupMs / 1000} s warm-up then ${o.durationMs / 1000} s measured per row, the same as section 1.
After an unrecorded pre-warm (${o.preWarmMs / 1000} s per caller), rows run in ${o.rounds} round${o.rounds === 1 ? '' : 's'} in alternating order (anonymous, user, API key, dev; then reversed) and the table merges the rounds
(req/s = successful requests / measured time, percentiles over all recorded latencies). A response counts only if it is
HTTP 200 with the expected \`venue { name }\` and no \`errors\`; "errors" are the other failures, "429" rate-limit refusals.
"server CPU / request" is the platform process's CPU time in the measured windows ÷ successful requests.
The micro-benchmark calls the gateway's own \`createAuthenticator\` / \`CallerDirectory\` (gateway/src/auth/) in the platform
process, ${o.microCalls.toLocaleString('en-US')} sequential calls each with the cache warm; cache misses: ${o.missLookups} lookups, each on a fresh directory.

${formatAuthTables(result)}
${errors.length ? `\nError samples:\n${errors.join('\n')}\n` : ''}
${kept}
`;
}

/** The section in an existing RESULTS.md: from its title to the next "## " heading. */
export function findAuthSection(md: string): { start: number; end: number } | undefined {
  const start = md.indexOf(AUTH_SECTION_TITLE);
  if (start < 0) return undefined;
  const next = md.indexOf('\n## ', start + AUTH_SECTION_TITLE.length);
  return { start, end: next < 0 ? md.length : next + 1 };
}

export function keptAuthInterpretation(md: string): string {
  return md.includes(AUTH_START) && md.includes(AUTH_END)
    ? md.slice(md.indexOf(AUTH_START), md.indexOf(AUTH_END) + AUTH_END.length)
    : `${AUTH_START}\n_(no interpretation written yet)_\n${AUTH_END}`;
}

/** Replaces (or inserts, before "## Interpretation") the authentication section of bench/RESULTS.md. */
export function writeAuthSection(result: AuthBenchResult, file = join(benchDir, 'RESULTS.md')): void {
  const md = existsSync(file) ? readFileSync(file, 'utf8') : '# Eventgraph benchmarks\n';
  const section = `${formatAuthSection(result, keptAuthInterpretation(md))}\n`;
  const found = findAuthSection(md);
  let out: string;
  if (found) out = md.slice(0, found.start) + section + md.slice(found.end);
  else {
    const at = md.indexOf('\n## Interpretation');
    out = at < 0 ? `${md.trimEnd()}\n\n${section}` : `${md.slice(0, at + 1)}${section}${md.slice(at + 1)}`;
  }
  writeFileSync(file, out);
}

if (require.main === module) {
  runAuthOverhead()
    .then((result) => {
      console.log(`\n${formatAuthTables(result)}\n`);
      writeAuthSection(result);
      console.log(`updated ${join(benchDir, 'RESULTS.md')}`);
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
