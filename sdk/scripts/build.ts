// npm run -w @eventgraph/sdk build   →  sdk/dist (what `npm pack` ships; gitignored)
//
// One ESM (.mjs) and one CommonJS (.cjs) bundle of src/index.ts with tsup, their declarations
// (index.d.ts for require, the same file as index.d.mts for import), and the files clients load
// by path: the trusted-documents manifest and the API schema. graphql, graphql-ws and the
// typed-document types stay external (they are dependencies): an application shares one graphql.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Options } from 'tsup';

const SDK = join(__dirname, '..');
const DIST = join(SDK, 'dist');

const common: Options = {
  config: false,
  entry: { index: join(SDK, 'src', 'index.ts') },
  outDir: DIST,
  target: 'es2022',
  platform: 'neutral', // browsers, Node, Deno, React Native: no Node built-ins are used
  tsconfig: join(SDK, 'tsconfig.build.json'), // a build of its own, not the monorepo's test types
  silent: true,
};

async function main() {
  rmSync(DIST, { recursive: true, force: true });
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
  copyFileSync(join(DIST, 'index.d.ts'), join(DIST, 'index.d.mts'));
  for (const file of ['trusted-documents.json', 'schema.graphql'])
    copyFileSync(join(SDK, 'src', 'generated', file), join(DIST, file));
  console.log(`built ${DIST}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
