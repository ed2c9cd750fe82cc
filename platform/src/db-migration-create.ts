// npm run db:migration:create -- <name> [subgraph...] [--empty]
// Writes a new Prisma migration for each subgraph whose schema.prisma changed; with --empty, one for each
// subgraph named even without a change, to write SQL the schema cannot say (a function) into.
import { createMigration } from '@eventgraph/runtime';
import { SUBGRAPHS } from './subgraphs';

async function main() {
  const args = process.argv.slice(2);
  const empty = args.includes('--empty');
  const [name, ...only] = args.filter((a) => a !== '--empty');
  if (!name) throw new Error('usage: npm run db:migration:create -- <name> [subgraph...] [--empty]');
  if (empty && only.length === 0) throw new Error('--empty needs the subgraphs to write it for');
  for (const {
    definition: { name: subgraph, prismaDir },
  } of SUBGRAPHS) {
    if (only.length && !only.includes(subgraph)) continue;
    const created = await createMigration(prismaDir, name, new Date(), { empty });
    console.log(created ? `${subgraph}: created ${created}` : `${subgraph}: no changes`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
