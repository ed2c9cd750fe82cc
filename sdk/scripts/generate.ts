// npm run -w @eventgraph/sdk generate          — writes sdk/src/generated/*
// npm run -w @eventgraph/sdk generate -- --check — exits 1 when the committed files are stale
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { generateSdk, REPO_ROOT } from './codegen';

async function main() {
  const check = process.argv.includes('--check');
  const files = await generateSdk();
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
      continue;
    }
    if (check) {
      stale++;
      console.error(`stale       ${shown}`);
    } else {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.content);
      console.log(`wrote       ${shown}`);
    }
  }
  if (stale) {
    console.error('run `npm run -w @eventgraph/sdk generate` and commit the result');
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
