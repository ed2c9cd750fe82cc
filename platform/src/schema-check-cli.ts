// npm run schema:check — composes the subgraphs and compares the API schema with schema/released.graphql;
//   exits 1 listing each breaking change that schema/accepted-changes.json does not accept (with a reason).
// npm run schema:release — writes the current API schema as the released one and empties the accepted changes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { format, resolveConfig } from 'prettier';
import { composePlatform } from './compose';
import { apiSchemaOf, checkSchema, formatReport, parseAcceptances } from './schema-check';

const ROOT = join(__dirname, '..', '..');
const RELEASED = join(ROOT, 'schema', 'released.graphql');
const ACCEPTED = join(ROOT, 'schema', 'accepted-changes.json');
const shown = (path: string) => relative(ROOT, path);

function currentApiSchema() {
  const composition = composePlatform();
  if (!composition.ok) throw new Error(`composition failed:\n  - ${composition.errors.join('\n  - ')}`);
  return apiSchemaOf(composition.supergraphSdl);
}

async function release(): Promise<number> {
  const schema = lexicographicSortSchema(currentApiSchema());
  const text = `# The API schema of the last release: npm run schema:check compares with it; npm run schema:release writes it.\n${printSchema(schema)}\n`;
  // written as the repository's formatter would, so format:check stays clean
  writeFileSync(RELEASED, await format(text, { ...(await resolveConfig(RELEASED)), filepath: RELEASED }));
  writeFileSync(ACCEPTED, '[]\n');
  console.log(`released: ${shown(RELEASED)} written, ${shown(ACCEPTED)} emptied`);
  return 0;
}

function check(): number {
  if (!existsSync(RELEASED)) {
    console.error(`no released schema at ${shown(RELEASED)}: run npm run schema:release once`);
    return 1;
  }
  const released = buildSchema(readFileSync(RELEASED, 'utf8'));
  const acceptances = existsSync(ACCEPTED) ? parseAcceptances(readFileSync(ACCEPTED, 'utf8')) : [];
  const { lines, failed } = formatReport(checkSchema(released, currentApiSchema(), acceptances));
  for (const line of lines) (line.startsWith('BREAKING') ? console.error : console.log)(line);
  if (failed) {
    console.error(
      `schema check failed: breaking changes against ${shown(RELEASED)}. If intended, list each in ${shown(ACCEPTED)} ` +
        'as { "change": "<the text after BREAKING …: >", "reason": "…" }.',
    );
    return 1;
  }
  console.log(`schema check passed against ${shown(RELEASED)}`);
  return 0;
}

async function main(command: string | undefined): Promise<number> {
  if (command === 'release') return release();
  if (command === 'check') return check();
  console.error('usage: schema-check-cli check|release');
  return 2;
}

main(process.argv[2]).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
