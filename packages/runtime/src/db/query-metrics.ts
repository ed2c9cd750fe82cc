import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

/** How many statements a database has run: for operations metrics and for tests that bound query counts. */
export interface QueryMetrics {
  statements: number;
}

const COUNTED = new Set(['queryRaw', 'executeRaw']);

/** Wraps an object so that every queryRaw / executeRaw call counts, and whatever startTransaction returns counts too. */
function counting<T extends object>(target: T, metrics: QueryMetrics): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (COUNTED.has(property as string)) {
        return (...args: unknown[]) => {
          metrics.statements++;
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      }
      if (property === 'startTransaction' || property === 'connect' || property === 'connectToShadowDb') {
        return async (...args: unknown[]) =>
          counting(await (value as (...a: unknown[]) => Promise<object>).apply(object, args), metrics);
      }
      return (value as (...a: unknown[]) => unknown).bind(object);
    },
  });
}

export function withQueryMetrics(factory: SqlMigrationAwareDriverAdapterFactory): {
  factory: SqlMigrationAwareDriverAdapterFactory;
  metrics: QueryMetrics;
} {
  const metrics: QueryMetrics = { statements: 0 };
  return { factory: counting(factory, metrics), metrics };
}
