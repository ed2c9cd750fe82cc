import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { generateSdk, OPERATIONS_DIR, REPO_ROOT } from '../scripts/codegen';

describe('generated SDK code', () => {
  it('is up to date with gateway/supergraph.graphql and src/operations (else: npm run -w @eventgraph/sdk generate)', async () => {
    const files = await generateSdk();
    expect(files.map((f) => relative(REPO_ROOT, f.path)).sort()).toEqual(['sdk/src/generated/graphql.ts', 'sdk/src/generated/schema.graphql']);
    for (const file of files) {
      let committed = '';
      try {
        committed = readFileSync(file.path, 'utf8');
      } catch {
        /* a missing file is stale too */
      }
      // compare a verdict first so a failure names the file instead of dumping two huge strings
      expect({ file: relative(REPO_ROOT, file.path), upToDate: committed === file.content }).toEqual({ file: relative(REPO_ROOT, file.path), upToDate: true });
    }
  });

  describe('notices changes to its inputs', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'eventgraph-sdk-ops-'));
      cpSync(OPERATIONS_DIR, dir, { recursive: true });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('a new document changes the output', async () => {
      writeFileSync(join(dir, 'extra.graphql'), 'query VenueName($id: ID!) { venue(id: $id) { name } }\n');
      const [, ts] = await generateSdk({ operationsDir: dir });
      expect(ts!.content).toContain('export type VenueNameQuery = { venue: { name: string } | null };');
      expect(ts!.content).not.toBe(readFileSync(join(REPO_ROOT, 'sdk/src/generated/graphql.ts'), 'utf8'));
    });

    it('a schema change changes the output', async () => {
      const supergraphSdl = readFileSync(join(REPO_ROOT, 'gateway/supergraph.graphql'), 'utf8').replace(
        /(type Venue\b[^{]*\{\n)/,
        '$1  capacityHint: Int @join__field(graph: EVENTS)\n',
      );
      const [schema] = await generateSdk({ supergraphSdl, operationsDir: dir });
      expect(schema!.content).toContain('capacityHint: Int');
    });

    it('a document that does not match the schema fails generation', async () => {
      writeFileSync(join(dir, 'broken.graphql'), 'query Broken { venue(id: "1") { seatCount } }\n');
      await expect(generateSdk({ operationsDir: dir })).rejects.toThrow(/Cannot query field "seatCount" on type "Venue"/);
    });
  });
});
