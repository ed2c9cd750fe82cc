import { buildSchema } from 'graphql';
import { DomainError } from '../../src/errors';
import { createLogger } from '../../src/logger';
import { PRINCIPAL_HEADER, signPrincipal } from '../../src/principal';
import { startSubgraphServer, type RunningServer } from '../../src/server/subgraph-server';

/** A route's failure, before and after its answer started: a status and JSON body, or an NDJSON answer's last line. */

const SECRET = 'route-errors-test-secret-of-32-bytes!!';
let server: RunningServer;

beforeAll(async () => {
  server = await startSubgraphServer({
    name: 'routes',
    schema: buildSchema('type Query { ok: Boolean }'),
    port: 0,
    principalSecret: SECRET,
    logger: createLogger('routes', 'silent'),
    createContext: (base) => base,
    routes: {
      'POST /early': async () => {
        throw new DomainError('MALFORMED_HEADER', 'the header lacks nfc_id');
      },
      'POST /late': async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
        res.write(`${JSON.stringify({ progress: { bytes: 10, rows: 1, stage: 'reading' } })}\n`);
        throw new DomainError('CONFLICT', 'another import wrote the same nfc ids');
      },
    },
  });
});
afterAll(() => server?.stop());

const post = (path: string) =>
  fetch(new URL(path, server.url), {
    method: 'POST',
    headers: { [PRINCIPAL_HEADER]: signPrincipal({ kind: 'service', id: 'test', memberships: [], scopes: ['*'] }, SECRET) },
  });

it('answers a failure before the first byte with its status and code', async () => {
  const response = await post('/early');
  expect(response.status).toBe(422);
  expect(await response.json()).toEqual({
    errors: [{ message: 'the header lacks nfc_id', extensions: { code: 'MALFORMED_HEADER' } }],
  });
});

it('ends an NDJSON answer that has started with the error as its last line', async () => {
  const response = await post('/late');
  expect(response.status).toBe(200);
  const lines = (await response.text())
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(lines).toEqual([
    { progress: { bytes: 10, rows: 1, stage: 'reading' } },
    { errors: [{ message: 'another import wrote the same nfc ids', extensions: { code: 'CONFLICT' } }] },
  ]);
});
