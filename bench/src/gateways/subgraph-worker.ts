/**
 * One of the benchmark's subgraphs in a process of its own: @apollo/subgraph's schema executed by
 * graphql-js on node:http, each document parsed and validated once. Forked by run.ts, which sends
 * the subgraph's name and gets its URL back.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, validate, type DocumentNode, type GraphQLError } from 'graphql';
import { listen, readBody } from '@eventgraph/runtime';
import { RESOLVERS } from './data';

export const FIXTURES = join(__dirname, '..', '..', '..', 'gateway', 'test', 'limits', 'fixtures', 'bench');

export async function startBenchSubgraph(name: string): Promise<string> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(readFileSync(join(FIXTURES, `${name}.graphql`), 'utf8')),
    resolvers: RESOLVERS[name]!,
  });
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  const server = createServer((req, res) => {
    void (async () => {
      const { query, variables, operationName } = JSON.parse(await readBody(req)) as {
        query: string;
        variables?: Record<string, unknown>;
        operationName?: string;
      };
      let document = documents.get(query);
      if (!document) {
        const parsed = parse(query);
        const errors = validate(schema, parsed);
        document = errors.length ? errors : parsed;
        documents.set(query, document);
      }
      const result = Array.isArray(document)
        ? { errors: document }
        : await execute({ schema, document: document as DocumentNode, variableValues: variables, operationName });
      const body = JSON.stringify(result);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    })().catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: String(err) }] }));
    });
  });
  const port = await listen(server, 0, '127.0.0.1');
  return `http://127.0.0.1:${port}/graphql`;
}

if (require.main === module && process.send) {
  process.once('message', (name: string) => {
    startBenchSubgraph(name).then(
      (url) => process.send!({ type: 'result', result: { url } }),
      (err: unknown) => process.send!({ type: 'error', message: String(err) }),
    );
  });
}
