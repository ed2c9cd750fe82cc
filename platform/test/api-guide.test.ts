import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES } from '@eventgraph/runtime/src/error-codes';
import { withCurrentErrorCodes } from '../src/api-guide';
import { ensureSdkBuild } from '../../sdk/scripts/ensure-build';
import { seedDemo } from '../src/seed';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

/**
 * docs/api.md promises that its examples run as shown, in order, in one shell, against `npm start` + `npm run seed`.
 * This runs them so against a live platform. Each shell or TypeScript block is preceded by an HTML comment saying
 * what its output must show (`<!-- test: output matches /…/ -->`) or why it is not run (`<!-- test: not run: … -->`).
 */
const ROOT = join(__dirname, '..', '..');
const GUIDE = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
const DOCUMENTED_ORIGIN = 'http://localhost:4000';

interface Block {
  line: number;
  language: 'sh' | 'ts';
  code: string;
  /** the output must match; undefined: not run */
  expect?: RegExp;
  exitsNonZero: boolean;
}

function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  const pattern = /(?:<!-- test: ([^\n]*?) -->\n\n)?```(sh|ts)\n([\s\S]*?)```/g;
  for (const match of markdown.matchAll(pattern)) {
    const [, directive, language, code] = match;
    const line = markdown.slice(0, match.index).split('\n').length;
    if (!directive) throw new Error(`docs/api.md:${line}: a ${language} block without a <!-- test: … --> comment`);
    const expectation = /output matches \/(.+)\/([a-z]*)$/.exec(directive);
    if (!expectation && !directive.startsWith('not run: '))
      throw new Error(`docs/api.md:${line}: unknown test directive "${directive}"`);
    blocks.push({
      line,
      language: language as Block['language'],
      code: code!,
      expect: expectation ? new RegExp(expectation[1]!, expectation[2]) : undefined,
      exitsNonZero: directive.includes('exits non-zero'),
    });
  }
  return blocks;
}

const blocks = blocksOf(GUIDE);

let platform: TestPlatform;
let shellDir: string;
/** TypeScript examples import @eventgraph/sdk as its users do, its build; so they run inside the repository's node_modules tree */
const tsDir = join(ROOT, 'node_modules', '.cache', 'eventgraph-api-guide');

beforeAll(async () => {
  [platform] = await Promise.all([startTestPlatform(), ensureSdkBuild()]);
  await seedDemo((query, variables) => platform.data(query, variables));
  shellDir = mkdtempSync(join(tmpdir(), 'eventgraph-api-guide-'));
  mkdirSync(tsDir, { recursive: true });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  if (shellDir) rmSync(shellDir, { recursive: true, force: true });
  rmSync(tsDir, { recursive: true, force: true });
});

/** Runs a block in bash with the variables and functions earlier blocks left behind, and keeps what it leaves. */
function run(block: Block, index: number): Promise<{ code: number; output: string }> {
  const origin = new URL(platform.gateway.url).origin;
  const code = block.code.replaceAll(DOCUMENTED_ORIGIN, origin);
  const state = join(shellDir, 'state.sh');
  let body = code;
  if (block.language === 'ts') {
    const file = join(tsDir, `example-${index}.mts`); // an ES module: examples use top-level await
    writeFileSync(file, code);
    body = `${join(ROOT, 'node_modules', '.bin', 'tsx')} ${file}`;
  }
  const script = `[ -f ${state} ] && source ${state}\nset -o pipefail\n${body}\nstatus=$?\n{ export -p; declare -f; } > ${state}\nexit $status\n`;
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', script],
      { cwd: ROOT, timeout: 45_000, env: { ...process.env, EVENTGRAPH: origin } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

it('lists every error code the API reports (else: npm run docs:api)', async () => {
  expect(Object.keys(ERROR_CODES).filter((code) => !GUIDE.includes(`| \`${code}\``))).toEqual([]);
  expect(await withCurrentErrorCodes(GUIDE)).toBe(GUIDE);
});

it('the guide has runnable examples, each with an expectation', () => {
  expect(blocks.filter((b) => b.expect).length).toBeGreaterThanOrEqual(10);
});

// one test per block, in document order: later blocks use what earlier ones exported
describe.each(blocks.map((block, index) => [`docs/api.md:${block.line}`, block, index] as const))(
  '%s',
  (_where, block, index) => {
    const runIt = block.expect ? it : it.skip;
    runIt(
      'runs as shown',
      async () => {
        const { code, output } = await run(block, index);
        if (block.exitsNonZero) expect(code).not.toBe(0);
        else expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(block.expect!) });
        expect(output).toMatch(block.expect!);
      },
      60_000,
    );
  },
);
