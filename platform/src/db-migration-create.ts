// npm run db:migration:create -- <name> [subgraph...]
// Writes a new Prisma migration for each subgraph whose schema.prisma changed.
import { createMigration } from '@eventgraph/runtime';
import { SUBGRAPHS } from './subgraphs';

async function main() {
  const [name, ...only] = process.argv.slice(2);
  if (!name) throw new Error('usage: npm run db:migration:create -- <name> [subgraph...]');
  for (const {
    definition: { name: subgraph, prismaDir },
  } of SUBGRAPHS) {
    if (only.length && !only.includes(subgraph)) continue;
    const created = await createMigration(prismaDir, name);
    console.log(created ? `${subgraph}: created ${created}` : `${subgraph}: no changes`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
