// npm run compose — writes each subgraph's schema.graphql and the composed
// gateway/supergraph.graphql; exits 1 and prints the errors when they do not compose.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeSupergraph } from '@eventgraph/gateway';
import { subgraphSdls } from './compose';

const ROOT = join(__dirname, '..', '..');

async function main() {
  const subgraphs = subgraphSdls();
  for (const { name, sdl } of subgraphs) await writeFile(join(ROOT, 'subgraphs', name, 'schema.graphql'), sdl);
  const result = composeSupergraph(subgraphs);
  if (!result.ok) {
    console.error(`composition failed with ${result.errors.length} error(s):`);
    for (const error of result.errors) console.error(`  - ${error}`);
    process.exit(1);
  }
  await writeFile(join(ROOT, 'gateway', 'supergraph.graphql'), result.supergraphSdl);
  console.log(`composed ${subgraphs.map((s) => s.name).join(', ')} into gateway/supergraph.graphql`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
