/*
 * The whole platform in a process of its own, for the crash test (platform/test/crash.test.ts): started with
 * fork() on ephemeral ports, killed with SIGKILL mid-load, started again on the same data.
 *
 * Its settings come from the environment as for `npm start` (DATABASE_URL, EVENTGRAPH_BUS, EVENTGRAPH_DATA_DIR);
 * with DATABASE_URL each subgraph lives in the schema `${CRASH_SCHEMA_PREFIX}<subgraph>`. Over the IPC channel it
 * says `{ ready, url }` once the gateway answers, runs read-only `{ id, subgraph, sql }` queries on a subgraph's
 * database for the test's counts, and stops cleanly on `{ stop: true }`.
 */
import { loadGatewaySettings } from '@eventgraph/gateway/src/settings';
import type { DatabaseLocation, PrismaLike } from '@eventgraph/runtime';
import { startPlatform } from '../../src/platform';

type Request = { id: number; subgraph: string; sql: string } | { stop: true };

async function main() {
  const settings = loadGatewaySettings();
  const prefix = process.env.CRASH_SCHEMA_PREFIX ?? 'crash_';
  const database = (name: string): DatabaseLocation =>
    settings.DATABASE_URL
      ? { kind: 'server', url: settings.DATABASE_URL, schema: `${prefix}${name}` }
      : { kind: 'embedded', dataDir: settings.EVENTGRAPH_DATA_DIR };
  const platform = await startPlatform({ settings, ephemeralPorts: true, database });

  process.on('message', (message: Request) => {
    if ('stop' in message) {
      void platform.stop().then(() => process.exit(0));
      return;
    }
    const db = platform.subgraphs[message.subgraph]?.db as PrismaLike | undefined;
    if (!db) return process.send!({ id: message.id, error: `no subgraph ${message.subgraph}` });
    db.$queryRawUnsafe(message.sql).then(
      (rows) => process.send!({ id: message.id, rows }),
      (err: unknown) => process.send!({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  // the parent going away (a failed test) must not leave the platform running
  process.on('disconnect', () => process.exit(1));
  process.send!({ ready: true, url: platform.gateway.url });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
