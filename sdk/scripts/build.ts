// npm run -w @eventgraph/sdk build   →  sdk/dist (what `npm pack` ships; gitignored, as is the .dist-<pid> it is built in)
//
// One ESM (.mjs) and one CommonJS (.cjs) bundle of src/index.ts with tsup, their declarations
// (index.d.ts for require, the same file as index.d.mts for import), and the files clients load
// by path: the trusted-documents manifest and the API schema. graphql, graphql-ws and the
// typed-document types stay external (they are dependencies): an application shares one graphql.
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Options } from 'tsup';

const SDK = join(__dirname, '..');
const DIST = join(SDK, 'dist');
// built beside dist/ and swapped in at the end: a test or dev server reading dist/ meanwhile never sees it half-written
const NEXT = join(SDK, `.dist-${process.pid}`);

const common: Options = {
  config: false,
  entry: { index: join(SDK, 'src', 'index.ts') },
  outDir: NEXT,
  target: 'es2022',
  platform: 'neutral', // browsers, Node, Deno, React Native: no Node built-ins are used
  tsconfig: join(SDK, 'tsconfig.build.json'), // a build of its own, not the monorepo's test types
  silent: true,
};

async function main() {
  rmSync(NEXT, { recursive: true, force: true });
  await Promise.all([
    build({
      ...common,
      format: ['esm', 'cjs'],
      outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
      sourcemap: true,
      treeshake: true,
    }),
    // declarations once (the slow part): for ESM they would be the same file
    build({ ...common, format: ['cjs'], dts: { only: true } }),
  ]);
  copyFileSync(join(NEXT, 'index.d.ts'), join(NEXT, 'index.d.mts'));
  for (const file of ['trusted-documents.json', 'schema.graphql'])
    copyFileSync(join(SDK, 'src', 'generated', file), join(NEXT, file));
  rmSync(DIST, { recursive: true, force: true });
  renameSync(NEXT, DIST);
  console.log(`built ${DIST}`);
}

main().catch((err) => {
  rmSync(NEXT, { recursive: true, force: true });
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
