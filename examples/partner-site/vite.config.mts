// vite build --config examples/partner-site/vite.config.mts   (npm run partner-site:build -w examples)
//
// The site imports `@eventgraph/sdk` like any partner would. It is bundled from the SDK package's own ESM build
// (sdk/dist, `npm run build -w sdk`) when that exists — the same files `npm pack` ships — and from the SDK's
// TypeScript source otherwise, so the site also builds in a checkout where the SDK was not built yet.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const SITE = dirname(fileURLToPath(import.meta.url));
const REPO = join(SITE, '..', '..');
const SDK = join(REPO, 'sdk');

type Exports = string | { import?: Exports; default?: Exports; browser?: Exports; [condition: string]: Exports | undefined };

/** The ESM file the SDK package exports for `import`, when it was built. */
export function sdkBuild(): string | undefined {
  const manifest = JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8')) as {
    exports?: Record<string, Exports>;
    module?: string;
  };
  const pick = (entry: Exports | undefined): string | undefined =>
    typeof entry === 'string' ? entry : entry && (pick(entry.browser) ?? pick(entry.import) ?? pick(entry.default));
  const target = pick(manifest.exports?.['.']) ?? manifest.module;
  if (!target || !/\.m?js$/.test(target)) return undefined;
  const file = join(SDK, target);
  return existsSync(file) ? file : undefined;
}

const sdkEntry = process.env.PARTNER_SITE_SDK === 'source' ? undefined : sdkBuild();

export default defineConfig({
  root: SITE,
  // no public/ directory: everything the page loads is imported by it
  publicDir: false,
  resolve: { alias: { '@eventgraph/sdk': sdkEntry ?? join(SDK, 'src', 'index.ts') } },
  define: { __SDK_ENTRY__: JSON.stringify(relative(REPO, sdkEntry ?? join(SDK, 'src', 'index.ts'))) },
  esbuild: { jsx: 'automatic' },
  build: { outDir: join(SITE, 'dist'), emptyOutDir: true, target: 'es2022', sourcemap: true },
  logLevel: 'warn',
});
