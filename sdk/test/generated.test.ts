import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES } from '../../packages/runtime/src/error-codes';

// @graphql-codegen loads ESM-only dependencies that Jest's CommonJS runtime cannot require,
// so the generator runs as the real script, in its own process, exactly as `npm run generate` does.
const SDK = join(__dirname, '..');
const TSX = join(SDK, '..', 'node_modules', '.bin', 'tsx');

function generate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [join(SDK, 'scripts', 'generate.ts'), ...args], { cwd: SDK, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('generated SDK code', () => {
  it('is up to date with gateway/supergraph.graphql and src/operations (else: npm run -w @eventgraph/sdk generate)', async () => {
    const result = await generate('--check');
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('up to date  sdk/src/generated/graphql.ts');
    expect(result.stdout).toContain('up to date  sdk/src/generated/schema.graphql');
    expect(result.stdout).toContain('up to date  sdk/src/generated/trusted-documents.json');
    expect(result.stdout).toContain('up to date  sdk/src/generated/error-codes.ts');
    expect(result.code).toBe(0);
  });

  describe('the check notices changes to its inputs', () => {
    let dir: string;
    const ops = () => join(dir, 'operations');
    const out = () => join(dir, 'generated');
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'eventgraph-sdk-'));
      cpSync(join(SDK, 'src', 'operations'), ops(), { recursive: true });
      cpSync(join(SDK, 'src', 'generated'), out(), { recursive: true });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('a new document makes the committed code stale, and generating brings it up to date', async () => {
      writeFileSync(join(ops(), 'extra.graphql'), 'query VenueName($id: ID!) { venue(id: $id) { name } }\n');
      const check = await generate('--check', '--operations', ops(), '--out', out());
      expect(check.code).toBe(1);
      expect(check.stderr).toMatch(/stale .*graphql\.ts/);

      expect((await generate('--operations', ops(), '--out', out())).code).toBe(0);
      expect(readFileSync(join(out(), 'graphql.ts'), 'utf8')).toContain(
        'export type VenueNameQuery = { venue: { name: string } | null };',
      );
      // the new operation is published under the sha256 of its printed text
      const manifest = JSON.parse(readFileSync(join(out(), 'trusted-documents.json'), 'utf8')) as Record<string, string>;
      const text = 'query VenueName($id: ID!) {\n  venue(id: $id) {\n    name\n  }\n}';
      expect(manifest[createHash('sha256').update(text).digest('hex')]).toBe(text);
      expect((await generate('--check', '--operations', ops(), '--out', out())).code).toBe(0);
    });

    it('a schema change makes the committed code stale', async () => {
      const supergraph = join(dir, 'supergraph.graphql');
      const sdl = readFileSync(join(SDK, '..', 'gateway', 'supergraph.graphql'), 'utf8');
      const changed = sdl.replace(/(\ntype Venue\b[^{]*\{\n)/, '$1  capacityHint: Int @join__field(graph: EVENTS)\n');
      expect(changed).not.toBe(sdl);
      writeFileSync(supergraph, changed);
      const check = await generate('--check', '--supergraph', supergraph, '--operations', ops(), '--out', out());
      expect(check.code).toBe(1);
      expect(check.stderr).toMatch(/stale .*schema\.graphql/);
    });

    it('the error codes come from the runtime registry, as a closed union with each meaning', () => {
      const generated = readFileSync(join(SDK, 'src', 'generated', 'error-codes.ts'), 'utf8');
      for (const [code, meaning] of Object.entries(ERROR_CODES))
        expect(generated).toContain(`  /** ${meaning} */\n  ${code}: '${code}',`);
      expect(generated).toContain('export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];');
    });

    it('a document that does not match the schema fails generation', async () => {
      writeFileSync(join(ops(), 'broken.graphql'), 'query Broken { venue(id: "1") { seatCount } }\n');
      const result = await generate('--operations', ops(), '--out', out());
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Cannot query field "seatCount" on type "Venue"');
    });
  });
});
