import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { traceStatement } from '../telemetry';

/** How many statements a database has run: for operations metrics and for tests that bound query counts. */
export interface QueryMetrics {
  statements: number;
}

/** Whose statements these are, for their trace spans: the service and the schema (or embedded database) they run in. */
export interface StatementOrigin {
  service: string;
  namespace: string;
}

/** Counts a statement and runs it in a span of the current trace, if there is one. */
export function runStatement<T>(
  metrics: QueryMetrics,
  origin: StatementOrigin | undefined,
  text: string,
  run: () => Promise<T>,
): Promise<T> {
  metrics.statements++;
  return origin ? traceStatement(origin.service, text, origin.namespace, run) : run();
}

const COUNTED = new Set(['queryRaw', 'executeRaw']);

/** Wraps an object so that every queryRaw / executeRaw call counts, and whatever startTransaction returns counts too. */
function counting<T extends object>(target: T, metrics: QueryMetrics, origin: StatementOrigin | undefined): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (COUNTED.has(property as string)) {
        return (...args: unknown[]) =>
          runStatement(metrics, origin, (args[0] as { sql: string }).sql, () =>
            (value as (...a: unknown[]) => Promise<unknown>).apply(object, args),
          );
      }
      if (property === 'startTransaction' || property === 'connect' || property === 'connectToShadowDb') {
        return async (...args: unknown[]) =>
          counting(await (value as (...a: unknown[]) => Promise<object>).apply(object, args), metrics, origin);
      }
      return (value as (...a: unknown[]) => unknown).bind(object);
    },
  });
}

export function withQueryMetrics(
  factory: SqlMigrationAwareDriverAdapterFactory,
  origin?: StatementOrigin,
): {
  factory: SqlMigrationAwareDriverAdapterFactory;
  metrics: QueryMetrics;
} {
  const metrics: QueryMetrics = { statements: 0 };
  return { factory: counting(factory, metrics, origin), metrics };
}
