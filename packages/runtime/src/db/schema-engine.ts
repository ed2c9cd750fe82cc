import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Prisma's migration engine compiled to WebAssembly. The native engine cannot be
 * downloaded on every machine, so Eventgraph diffs and applies migrations with
 * this build instead. Its entry module imports the `.wasm` file as an ES module,
 * which Node 20 only allows behind a flag, so we instantiate it ourselves.
 */
export interface SchemaEngineModule {
  SchemaEngine: {
    new: (
      options: { datamodels: [string, string][] | undefined },
      log: (line: string) => void,
      adapter: object,
    ) => Promise<SchemaEngine>;
  };
}

export interface MigrationList {
  baseDir: string;
  lockfile: { path: string; content: string | null };
  shadowDbInitScript: string;
  migrationDirectories: { path: string; migrationFile: { path: string; content: { tag: 'ok'; value: string } } }[];
}

export type SchemaFiles = { path: string; content: string }[];

type DiffTarget =
  | { tag: 'empty' }
  | { tag: 'schemaDatamodel'; files: SchemaFiles }
  | { tag: 'schemaDatasource'; files: SchemaFiles; configDir: string };

const NO_FILTERS = { externalTables: [], externalEnums: [] };

export interface SchemaEngine {
  applyMigrations(input: {
    migrationsList: MigrationList;
    filters: typeof NO_FILTERS;
  }): Promise<{ appliedMigrationNames: string[] }>;
  diff(params: {
    from: DiffTarget;
    to: DiffTarget;
    script: boolean;
    exitCode: boolean | null;
    filters: typeof NO_FILTERS;
  }): Promise<{ exitCode: number; stdout: string }>;
  free(): void;
}

let loading: Promise<SchemaEngineModule> | undefined;

export function loadSchemaEngine(): Promise<SchemaEngineModule> {
  loading ??= (async () => {
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue = (await import(gluePath)) as Record<string, unknown> & { __wbg_set_wasm(exports: unknown): void };
    const bytes = await readFile(join(dirname(gluePath), 'schema_engine_bg.wasm'));
    // Node's global WebAssembly; its types live in the DOM lib, which this project does not load
    const wasm = (
      globalThis as unknown as {
        WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<{ instance: { exports: { __wbindgen_start(): void } } }> };
      }
    ).WebAssembly;
    const { instance } = await wasm.instantiate(bytes, { './schema_engine_bg.js': withUnrefTimers(glue) });
    glue.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    return glue as unknown as SchemaEngineModule;
  })();
  return loading;
}

export { NO_FILTERS };

/**
 * The engine arms timers (connection timeouts) it never clears; unref'd, they
 * no longer keep a finished process, or a test run, alive.
 */
function withUnrefTimers(glue: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(glue).map(([name, value]) => {
      if (!name.startsWith('__wbg_setTimeout_') || typeof value !== 'function') return [name, value];
      return [
        name,
        (...args: unknown[]) => {
          const timer = (value as (...a: unknown[]) => unknown)(...args);
          (timer as { unref?: () => void } | undefined)?.unref?.();
          return timer;
        },
      ];
    }),
  );
}
