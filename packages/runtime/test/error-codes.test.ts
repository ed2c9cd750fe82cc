import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ERROR_CODES, RESULT_CODES } from '../src/error-codes';

/**
 * The registry of codes is complete: every code literal the server code can send to a client
 * is listed in packages/runtime/src/error-codes.ts (and from there in the SDK's closed union).
 */
const REPO = join(__dirname, '..', '..', '..');
const SOURCE_ROOTS = ['gateway/src', 'packages', 'subgraphs', 'platform/src'];
const SKIPPED_DIRS = new Set(['node_modules', 'generated', 'test', 'prisma', 'dist']);

/** The ways a code is written down in this code base. */
const CODE_PATTERNS: RegExp[] = [
  // { code: 'X' }, { extensions: { code: 'X' } }, readonly code = 'X', problem objects of src/domain
  /\bcode\s*[:=]\s*'([A-Z][A-Z0-9_]*[A-Z0-9])'/g,
  // new DomainError('X', …), new RouteRefusal('X', …)
  /new (?:DomainError|RouteRefusal)\(\s*'([A-Z][A-Z0-9_]+)'/g,
  // graphqlErrorBody(message, 'X') of the JSON routes
  /graphqlErrorBody\([^;]*?'([A-Z][A-Z0-9_]+)'\s*\)/g,
  // export const X = 'X'
  /export const ([A-Z][A-Z0-9_]+) = '\1'/g,
];
/** Tables of codes: `const ErrorCode = { Name: 'X', … }`, `LimitErrorCode`, … */
const CODE_TABLE = /ErrorCode\s*=\s*\{([^}]*)\}/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : sourceFiles(join(dir, entry.name));
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [join(dir, entry.name)] : [];
  });
}

/** code → the files that write it */
function codesInSource(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (code: string, file: string) => found.set(code, [...(found.get(code) ?? []), relative(REPO, file)]);
  for (const root of SOURCE_ROOTS) {
    for (const file of sourceFiles(join(REPO, root))) {
      if (file.endsWith(join('runtime', 'src', 'error-codes.ts'))) continue;
      const text = readFileSync(file, 'utf8');
      for (const pattern of CODE_PATTERNS) for (const match of text.matchAll(pattern)) add(match[1]!, file);
      for (const table of text.matchAll(CODE_TABLE))
        for (const match of table[1]!.matchAll(/'([A-Z][A-Z0-9_]+)'/g)) add(match[1]!, file);
    }
  }
  return found;
}

describe('the registry of error codes', () => {
  const found = codesInSource();

  it('finds the codes of every layer in the source tree (the scan itself works)', () => {
    // one of each kind of writing: a runtime table, a gateway constant, a subgraph DomainError, a domain problem object
    for (const code of [
      'BAD_USER_INPUT',
      'RATE_LIMITED',
      'OPERATION_TOO_COSTLY',
      'SCAN_ID_REUSED',
      'SERIES_OVERLAP',
      'LAST_OWNER',
    ])
      expect(found.has(code)).toBe(true);
    expect(found.size).toBeGreaterThan(50);
  });

  it('lists every code the source writes, with a meaning', () => {
    const missing = [...found]
      .filter(([code]) => !(code in ERROR_CODES) && !(code in RESULT_CODES))
      .map(([code, files]) => `${code} (in ${[...new Set(files)].join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('keeps error codes and result codes apart, each with a one-line meaning', () => {
    const both = Object.keys(ERROR_CODES).filter((code) => code in RESULT_CODES);
    expect(both).toEqual([]);
    for (const [code, meaning] of [...Object.entries(ERROR_CODES), ...Object.entries(RESULT_CODES)]) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(meaning).not.toMatch(/\n/);
      expect(meaning.length).toBeGreaterThan(10);
    }
  });

  it('lists Apollo Server’s own codes that reach clients', () => {
    for (const code of ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND'])
      expect(ERROR_CODES).toHaveProperty(code);
  });
});
