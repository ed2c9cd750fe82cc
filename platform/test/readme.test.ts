import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { parse, validate } from 'graphql';
import { checkOperationLimits } from '@eventgraph/gateway/src/limits';

/**
 * The README is a newcomer's first contact: every operation it shows must be
 * valid against the API and within the gateway's default limits.
 */
const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const apiSchema = Supergraph.build(readFileSync(join(ROOT, 'gateway', 'supergraph.graphql'), 'utf8'))
  .apiSchema()
  .toGraphQLJSSchema();

const fromGraphqlBlocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap((m) =>
  m[1]!.split(/\n(?=mutation|query|subscription)/),
);
const fromCurl = [...readme.matchAll(/-d '(\{"query":.*\})'/g)].map((m) => (JSON.parse(m[1]!) as { query: string }).query);
const operations = [...fromGraphqlBlocks, ...fromCurl].map((op) => op.trim()).filter(Boolean);

it('shows operations at all', () => {
  expect(operations.length).toBeGreaterThanOrEqual(6);
});

it.each(operations.map((op) => [op.slice(0, 60).replace(/\s+/g, ' '), op]))(
  'README operation is valid and within limits: %s',
  (_name, op) => {
    const document = parse(op);
    expect(validate(apiSchema, document).map((e) => e.message)).toEqual([]);
    expect(checkOperationLimits(apiSchema, document, undefined, {}).map((e) => e.message)).toEqual([]);
  },
);
