// npm run -w @eventgraph/sdk generate            writes sdk/src/generated/*
// npm run -w @eventgraph/sdk generate -- --check exits 1 when the committed files are stale
//
// Inputs and output can be redirected (used by the tests):
//   --supergraph <file>  (default gateway/supergraph.graphql)
//   --operations <dir>   (default sdk/src/operations)
//   --out <dir>          (default sdk/src/generated)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSdk, REPO_ROOT } from './codegen';

async function main() {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      supergraph: { type: 'string' },
      operations: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const files = await generateSdk({
    supergraphSdl: values.supergraph ? readFileSync(resolve(values.supergraph), 'utf8') : undefined,
    operationsDir: values.operations ? resolve(values.operations) : undefined,
    generatedDir: values.out ? resolve(values.out) : undefined,
  });
  let stale = 0;
  for (const file of files) {
    const shown = relative(REPO_ROOT, file.path);
    let current: string | undefined;
    try {
      current = readFileSync(file.path, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === file.content) {
      console.log(`up to date  ${shown}`);
    } else if (values.check) {
      stale++;
      console.error(`stale       ${shown}`);
    } else {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.content);
      console.log(`wrote       ${shown}`);
    }
  }
  if (stale) {
    console.error('the generated SDK code is stale: run `npm run -w @eventgraph/sdk generate` and commit the result');
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
