#!/usr/bin/env node
// Generates each subgraph's Prisma Client (TypeScript, into src/generated/prisma).
// `prisma generate` only checks that a native schema engine exists; it never runs
// it. Where that engine cannot be downloaded we point the check at a placeholder:
// migrations go through the WebAssembly engine (packages/runtime/src/db).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prismaCli = join(root, 'node_modules', 'prisma', 'build', 'index.js');
if (!existsSync(prismaCli)) process.exit(0); // dependencies not installed yet

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const placeholder = join(root, 'node_modules', '.cache', 'eventgraph', 'schema-engine-placeholder');
  mkdirSync(dirname(placeholder), { recursive: true });
  writeFileSync(placeholder, '#!/bin/sh\necho "use npm run db:migrate (WebAssembly schema engine)" >&2\nexit 1\n');
  chmodSync(placeholder, 0o755);
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}

for (const name of readdirSync(join(root, 'subgraphs'))) {
  const schema = join(root, 'subgraphs', name, 'prisma', 'schema.prisma');
  if (!existsSync(schema)) continue;
  execFileSync(process.execPath, [prismaCli, 'generate', '--schema', schema], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`prisma client generated for ${name}`);
}
