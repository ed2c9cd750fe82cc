import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { GraphQLSchema } from 'graphql';
import type { BusEvent } from './bus/event';
import { countUnpublished, outboxInsert, prepareEvent, recordEvent, type PreparedEvent, type SqlExecutor } from './bus/outbox';
import { OutboxRelay } from './bus/relay';
import type { BusTransport, Unsubscribe } from './bus/transport';
import { ConfigError, loadConfig, loadPlatformSettings, port, type PlatformSettings } from './config';
import { busConfigOf, createBus, observeBus } from './bus';
import { BusConsumerMetrics, createMetricsRegistry, observeDatabase, type Registry } from './metrics';
import { z } from 'zod';
import { stopOnSignals } from './server/lifecycle';
import {
  databaseLocation,
  openDatabase,
  waitForMigrations,
  executorOf,
  literal,
  type DatabaseLocation,
  type PrismaLike,
  type QueryMetrics,
  type SqlDatabase,
  type SqlTransaction,
} from './db';
import { createLogger, type Logger } from './logger';
import { startTracing } from './telemetry';
import { startSubgraphServer, type RequestContext, type RunningServer } from './server/subgraph-server';

/** How long a mutation waits for its events to be published before it answers anyway. */
const PUBLISH_WAIT_MS = 250;

/** Announces a bus event from inside a transaction: it commits, or rolls back, with the change. */
export type Announce = (topic: string, payload: Record<string, unknown>) => Promise<void>;

export interface TransactionalClient<Tx> extends PrismaLike {
  $transaction<T>(fn: (tx: Tx) => Promise<T>, options?: { timeout?: number; maxWait?: number }): Promise<T>;
}

export interface TransactOptions {
  /** how long the transaction may stay open (Prisma's default is 5 s); long-running imports raise it */
  timeoutMs?: number;
}

/** What every resolver of a subgraph gets. */
export interface SubgraphContext<Db, Tx> extends RequestContext {
  db: Db;
  settings: PlatformSettings;
  bus: BusTransport;
  /** one transaction for the change and the events announcing it; the events are published right after the commit */
  transact<T>(fn: (tx: Tx, announce: Announce) => Promise<T>, options?: TransactOptions): Promise<T>;
  /** plain SQL on the same database, for hot paths where Prisma's query layer costs more than the SQL */
  sql: SqlDatabase;
  /** `transact` in plain SQL (with COPY where `sql.canCopy`) */
  transactSql<T>(fn: (tx: SqlTransaction, announce: Announce) => Promise<T>): Promise<T>;
  /**
   * For one statement that decides and records a change and writes its own outbox row (a check-in): the
   * event's envelope to pass to it, then `announced` with the completed events once it has committed,
   * which does what a transaction's commit does for its events (this process's caches, the publish).
   * `waitForPublish: false` answers without waiting for the publish (the relay goes on its own): for a
   * change whose caller asks nothing next that the announcement could affect (a scan at a gate).
   */
  prepareEvent(topic: string): PreparedEvent;
  announced(events: BusEvent[], options?: { waitForPublish?: boolean }): Promise<void>;
}

/**
 * A plain HTTP route of a subgraph, for what GraphQL cannot carry (a streamed upload of a million rows).
 * It is served with the same signed-principal check as GraphQL and gets the same context; it answers
 * through `res` itself. Keyed `'<METHOD> <path>'`, e.g. `'POST /imports/wristbands'`.
 */
export type SubgraphRoute<C> = (req: IncomingMessage, res: ServerResponse, ctx: C) => Promise<void>;

/** A subgraph as a value: everything the launcher, the tests and `src/server.ts` need to run it. */
export interface SubgraphDefinition<Db extends TransactionalClient<Tx>, Tx, C extends SubgraphContext<Db, Tx>> {
  name: string;
  prismaDir: string;
  schema: GraphQLSchema;
  createClient(adapter: SqlMigrationAwareDriverAdapterFactory): Db;
  /** adds the subgraph's own per-request parts (data loaders) to the shared context */
  createContext(base: SubgraphContext<Db, Tx>): C;
  /**
   * starts the subgraph's bus consumers (projections of other subgraphs' events) and background
   * workers; each returns its stop function, awaited before the database closes
   */
  consumers?: Array<(services: ConsumerServices<Db>) => () => void | Promise<void>>;
  /** plain HTTP routes next to /graphql (see SubgraphRoute) */
  routes?: Record<string, SubgraphRoute<C>>;
  /** runs right after a transaction that announced events commits, before the mutation answers (cache invalidation) */
  afterCommit?(events: BusEvent[], services: { db: Db }): void;
}

/** What a bus consumer of a subgraph works with. */
export interface ConsumerServices<Db> {
  db: Db;
  /** plain SQL on the same database, for consumers that run on every event of a busy topic */
  sql: SqlDatabase;
  bus: BusTransport;
  log: Logger;
  /** names durable consumer groups after the database, so two deployments sharing a bus never split one group */
  group(name: string): string;
  /** the subgraph's /metrics registry, for what a worker counts */
  metrics: Registry;
}

export interface RunSubgraphOptions {
  settings: PlatformSettings;
  bus: BusTransport;
  port: number;
  host?: string;
  logger?: Logger;
  /** overrides the settings' database (tests use memory or a schema of their own) */
  database?: DatabaseLocation;
  /**
   * the outbox relay publishes nothing before this settles (nor before this subgraph's own consumers have
   * joined their groups): a launcher running several subgraphs on one bus resolves it once all of them have
   * started, so a restart never judges an event before every group that consumes it is known
   */
  relayStartsAfter?: Promise<unknown>;
  /** its /metrics carries process metrics too (default true; the platform's one process has the gateway's) */
  processMetrics?: boolean;
}

export interface RunningSubgraph<Db> extends RunningServer {
  db: Db;
  /** plain SQL on its database (what its consumers and workers use) */
  sql: SqlDatabase;
  /** statements its database has run */
  queries: QueryMetrics;
  /** what its /metrics serves */
  metrics: Registry;
}

export async function runSubgraph<Db extends TransactionalClient<Tx>, Tx, C extends SubgraphContext<Db, Tx>>(
  definition: SubgraphDefinition<Db, Tx, C>,
  options: RunSubgraphOptions,
): Promise<RunningSubgraph<Db>> {
  const { name } = definition;
  const log = options.logger ?? createLogger(name, options.settings.LOG_LEVEL);
  const location = options.database ?? databaseLocation(options.settings);
  // replicas leave migrating to one process of its own (the migrate role) and wait for it
  const othersMigrate = options.settings.EVENTGRAPH_MIGRATIONS === 'wait';
  if (othersMigrate && location.kind !== 'server')
    throw new ConfigError([
      'EVENTGRAPH_MIGRATIONS: wait needs DATABASE_URL (an embedded database is migrated by its own process)',
    ]);
  if (othersMigrate && location.kind === 'server')
    await waitForMigrations({ url: location.url, schema: location.schema ?? name, prismaDir: definition.prismaDir, log });
  const database = await openDatabase({
    name,
    prismaDir: definition.prismaDir,
    location,
    createClient: definition.createClient,
    migrate: !othersMigrate,
  });
  if (database.appliedMigrations.length) log.info({ migrations: database.appliedMigrations }, 'migrations applied');
  const db = database.client;
  const metrics = createMetricsRegistry(name, { processMetrics: options.processMetrics });
  observeDatabase(metrics, { poolUse: database.poolUse, outboxBacklog: () => countUnpublished(executorOf(database.sql)) });
  // consumers and resolvers see the bus through spans and lag metrics; the relay publishes on the transport itself
  const bus = observeBus(options.bus, name, new BusConsumerMetrics(metrics));
  const group = (consumer: string) => `${name}-${database.schema}-${consumer}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  const stopConsumers = (definition.consumers ?? []).map((start) => start({ db, sql: database.sql, bus, log, group, metrics }));
  // bus consumers say when their group exists (a NATS durable consumer is created on the server); workers do not
  const joined = stopConsumers.map((stop) => (stop as Partial<Unsubscribe>).ready?.catch(() => undefined));
  // the relay's few statements run on every mutation that announces something: plain SQL, prepared
  const relay = new OutboxRelay({
    db: executorOf(database.sql),
    transport: options.bus,
    name,
    logger: log,
    startAfter: Promise.all([options.relayStartsAfter, ...joined]),
  }).start();

  /** after a commit that announced events: this process's caches, then the publish */
  const published = async (announced: BusEvent[], { waitForPublish = true } = {}) => {
    if (announced.length === 0) return;
    // this process's own caches learn of the change before anyone can ask again
    definition.afterCommit?.(announced, { db });
    if (!waitForPublish) return relay.poke();
    // publish before answering, so whoever the caller talks to next has already heard of the change
    // (a revoked key, a new membership); bounded, since the relay retries on its own anyway
    await Promise.race([relay.flush().catch(() => 0), new Promise((resolve) => setTimeout(resolve, PUBLISH_WAIT_MS))]);
  };

  const transact = async <T>(fn: (tx: Tx, announce: Announce) => Promise<T>, txOptions?: TransactOptions): Promise<T> => {
    const announced: BusEvent[] = [];
    const result = await db.$transaction(
      (tx) =>
        fn(tx, async (topic, payload) => {
          announced.push(await recordEvent(tx as unknown as SqlExecutor, name, topic, payload));
        }),
      txOptions?.timeoutMs ? { timeout: txOptions.timeoutMs } : undefined,
    );
    await published(announced);
    return result;
  };
  const transactSql = async <T>(fn: (tx: SqlTransaction, announce: Announce) => Promise<T>): Promise<T> => {
    const announced: BusEvent[] = [];
    const result = await database.sql.transaction((tx) =>
      fn(tx, async (topic, payload) => {
        // written with the COMMIT, in its round trip: nothing in the transaction reads the outbox
        const { event, statement } = outboxInsert(name, topic, payload, literal);
        tx.atCommit(statement);
        announced.push(event);
      }),
    );
    await published(announced);
    return result;
  };

  try {
    const server = await startSubgraphServer({
      name,
      schema: definition.schema,
      port: options.port,
      host: options.host,
      principalSecret: options.settings.EVENTGRAPH_PRINCIPAL_SECRET,
      logger: log,
      createContext: (base) =>
        definition.createContext({
          ...base,
          db,
          settings: options.settings,
          bus,
          transact,
          sql: database.sql,
          transactSql,
          prepareEvent: (topic) => prepareEvent(name, topic),
          announced: published,
        }),
      routes: definition.routes,
      metrics,
      isReady: () => database.ping(),
      onStopped: async () => {
        await Promise.allSettled(stopConsumers.map((stop) => stop()));
        await relay.stop();
        await database.close();
      },
    });
    return { ...server, db, sql: database.sql, queries: database.metrics, metrics };
  } catch (err) {
    await Promise.allSettled(stopConsumers.map((stop) => stop()));
    await relay.stop();
    await database.close();
    throw err;
  }
}

/**
 * The entry point of a subgraph running as its own process: settings from the
 * environment (PORT, HOST, the platform settings), the bus they name, stop on
 * SIGINT/SIGTERM after in-flight requests finish.
 */
export async function startFromEnvironment<Db extends TransactionalClient<Tx>, Tx, C extends SubgraphContext<Db, Tx>>(
  definition: SubgraphDefinition<Db, Tx, C>,
  defaultPort: number,
): Promise<void> {
  const log = createLogger(definition.name);
  // before anything runs, so the first requests are traced too (off unless an OTLP endpoint is configured)
  const tracing = startTracing({ singleService: true });
  try {
    const settings = loadPlatformSettings();
    const { PORT, HOST } = loadConfig(z.object({ PORT: port(defaultPort), HOST: z.string().default('127.0.0.1') }));
    const bus = await createBus(busConfigOf(settings), { logger: log });
    const running = await runSubgraph(definition, { settings, bus, port: PORT, host: HOST, logger: log });
    stopOnSignals(async () => {
      await running.stop();
      await bus.close();
      await tracing.shutdown();
    }, log);
  } catch (err) {
    log.fatal({ err }, `${definition.name} failed to start`);
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
