import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'tsup';

/**
 * The published build: one ESM (.mjs) and one CommonJS (.cjs) bundle of src/index.ts with
 * declarations for each, and the files clients load by path (the trusted-documents manifest and
 * the API schema). graphql, graphql-ws and the typed-document types stay external: they are
 * dependencies, so an application shares one copy of graphql with its other GraphQL code.
 */
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  // .mjs and .cjs whatever the package's type; declarations follow as .d.mts (ESM) and .d.ts (CommonJS)
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
  dts: true,
  target: 'es2022',
  platform: 'neutral', // browsers, Node, Deno, React Native: no Node built-ins are used
  sourcemap: true,
  clean: true,
  treeshake: true,
  // a build in development sees a fresh tsconfig of its own, not the monorepo's test types
  tsconfig: 'tsconfig.build.json',
  async onSuccess() {
    for (const file of ['trusted-documents.json', 'schema.graphql'])
      copyFileSync(join(__dirname, 'src', 'generated', file), join(__dirname, 'dist', file));
  },
});
