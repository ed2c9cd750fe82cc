import WebSocket from 'ws';
import { createEventgraphClient, isEventgraphError, type EventgraphClient, type EventgraphSubscription } from '@eventgraph/sdk';

export const DEFAULT_URL = 'http://localhost:4000/graphql';
export const DEFAULT_TOKEN = 'eventgraph-dev-token';

/** What every example's main() gets: a client and somewhere to print. */
export interface ExampleContext {
  client: EventgraphClient;
  /** one line of output (console.log by default) */
  print?: (line: string) => void;
  /** ends a long-running example (Ctrl+C in the CLI) */
  signal?: AbortSignal;
}

/**
 * A client for the platform named by the environment:
 *   EVENTGRAPH_URL    default http://localhost:4000/graphql (what `npm start` serves)
 *   EVENTGRAPH_TOKEN  default the development token; set it empty to call anonymously
 */
export function clientFromEnv(env: NodeJS.ProcessEnv = process.env): EventgraphClient {
  const token = env.EVENTGRAPH_TOKEN ?? DEFAULT_TOKEN;
  return createEventgraphClient({
    url: env.EVENTGRAPH_URL || DEFAULT_URL,
    credential: token || undefined,
    webSocketImpl: WebSocket, // Node 20 has no global WebSocket; browsers need nothing here
    retryAttempts: 2,
  });
}

/** `--name value` / `--name=value` and the positional arguments. */
export function parseFlags(argv: string[]): { flags: Record<string, string | true>; positional: string[] } {
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (inline !== undefined) flags[name] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) flags[name] = argv[++i]!;
    else flags[name] = true;
  }
  return { flags, positional };
}

export const flag = (flags: Record<string, string | true>, name: string): string | undefined => {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Runs an example from the command line: a client from the environment,
 * Ctrl+C ends long-running examples, errors are printed with their code and
 * set the exit status.
 */
export function runCli(run: (ctx: Required<ExampleContext>, argv: string[]) => Promise<unknown>): void {
  const client = clientFromEnv();
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  run({ client, print: (line) => console.log(line), signal: abort.signal }, process.argv.slice(2))
    .catch((err: unknown) => {
      process.exitCode = 1;
      if (isEventgraphError(err)) {
        console.error(`Eventgraph error ${err.code}: ${err.message}`);
        if (err.code === 'NETWORK_ERROR')
          console.error(
            `Is the platform running? Start it with \`npm start\` (expects ${process.env.EVENTGRAPH_URL || DEFAULT_URL}).`,
          );
      } else console.error(err instanceof Error ? err.message : err);
    })
    .finally(async () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await client.close();
    });
}

/**
 * Reads a subscription until `count` items arrived, `timeoutMs` passed or
 * `signal` fired (whichever comes first), handing each item to `onItem`;
 * then ends the subscription. An error ending the subscription is thrown.
 */
export async function consume<T>(
  stream: EventgraphSubscription<T>,
  options: { count?: number; timeoutMs?: number; signal?: AbortSignal; onItem(item: T): void },
): Promise<number> {
  let seen = 0;
  let timer: NodeJS.Timeout | undefined;
  const stopped = new Promise<'stop'>((resolve) => {
    if (options.timeoutMs !== undefined) timer = setTimeout(() => resolve('stop'), options.timeoutMs);
    if (options.signal?.aborted) resolve('stop');
    options.signal?.addEventListener('abort', () => resolve('stop'), { once: true });
  });
  try {
    while (options.count === undefined || seen < options.count) {
      const next = await Promise.race([stream.next(), stopped]);
      if (next === 'stop' || next.done) break;
      seen++;
      options.onItem(next.value);
    }
    return seen;
  } finally {
    clearTimeout(timer);
    await stream.return();
  }
}

/** graphql-ws does not acknowledge a subscription: give the server a moment to start it before producing events. */
export const settle = (ms = 500) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** a short random tag that keeps demo slugs unique */
export const demoTag = () => Math.random().toString(36).slice(2, 8);
