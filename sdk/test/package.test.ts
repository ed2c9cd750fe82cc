import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoWorld } from '../../platform/test/support/demo-data';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';
import { ensureSdkBuild } from '../scripts/ensure-build';
import { trackLiveSubscriptions, waitForLive, within } from './support';

/**
 * The SDK as its users get it: built, packed with `npm pack`, installed from the
 * tarball into a fresh project outside this repository, type-checked there
 * (node16 and bundler resolution) and run under Node as ESM and as CommonJS
 * against a live platform, a query and a subscription each.
 */
const SDK = join(__dirname, '..');
const REPO = join(SDK, '..');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

function run(command: string, args: string[], cwd: string, timeout = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`)) : resolve(stdout),
    );
  });
}

// One consumer, written twice only in how it imports: ESM (.mts) and CommonJS (.cts).
const consumer = (importLines: string) => `${importLines}

async function main(url: string, token: string, eventId: string): Promise<void> {
  const say = (line: Record<string, unknown>) => console.log(JSON.stringify(line));
  const client = createEventgraphClient({ url, credential: token, webSocketImpl: WebSocket, reconnect: { attempts: 0 } });
  const { event } = await client.request(EventDetailsDocument, { id: eventId });
  const title: string | undefined = event?.title;
  say({ query: title });
  // never called: the document's variables are checked (an unused expectation would mean the types are not in use)
  // @ts-expect-error \`eventId\` is not a variable of EventDetails
  const _wrong = () => client.request(EventDetailsDocument, { eventId });

  try {
    await client.request(TransitionEventDocument, { id: eventId, to: 'ON_SALE' }); // a draft cannot go on sale
  } catch (err) {
    // the closed union of codes: a typo in a code would not compile
    const code: EventgraphErrorCode | undefined = isEventgraphError(err) ? err.code : undefined;
    say({ error: code === 'ILLEGAL_TRANSITION' || code === 'CONFLICT' ? 'typed' : String(code) });
  }

  const changes = client.subscribe(EventChangedDocument, { eventId });
  say({ subscribed: true });
  for await (const { eventChanged } of changes) {
    say({ subscription: eventChanged.event?.title ?? null, kind: eventChanged.kind });
    break;
  }
  await client.close();
}

const [url, token, eventId] = process.argv.slice(2) as [string, string, string];
main(url, token, eventId).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
`;

const ESM_IMPORTS = `import WebSocket from 'ws';
import {
  createEventgraphClient,
  EventChangedDocument,
  EventDetailsDocument,
  isEventgraphError,
  TransitionEventDocument,
  type EventgraphErrorCode,
} from '@eventgraph/sdk';`;
const CJS_IMPORTS = ESM_IMPORTS.replace("import WebSocket from 'ws';", "import WebSocket = require('ws');");

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
let project: string;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'eventgraph-sdk-consumer-'));
  const [started] = await Promise.all([
    startTestPlatform(),
    (async () => {
      await ensureSdkBuild(); // npm run build, unless dist/ is newer than everything it is built from
      const packed = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', project], SDK)) as Array<{
        filename: string;
        files: Array<{ path: string }>;
      }>;
      const tarball = join(project, packed[0]!.filename);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true, version: '1.0.0' }));
      // as a Node 20 user would: the SDK, `ws` for the socket, and the types of both
      await run(
        'npm',
        [
          'install',
          tarball,
          'ws@8',
          '@types/ws@8',
          '@types/node@20',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--no-package-lock',
        ],
        project,
      );
      return packed[0]!.files.map((f) => f.path);
    })().then((files) => (packedFiles = files)),
  ]);
  platform = started;
  trackLiveSubscriptions(platform);
  world = await createDemoWorld(platform);
}, 120_000);
afterAll(async () => {
  await platform?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

let packedFiles: string[] = [];

it('packs the build, its declarations and the published files, not the sources', () => {
  expect(packedFiles).toEqual(
    expect.arrayContaining([
      'package.json',
      'README.md',
      'dist/index.mjs',
      'dist/index.cjs',
      'dist/index.d.mts',
      'dist/index.d.ts',
      'dist/trusted-documents.json',
      'dist/schema.graphql',
      // what Apollo iOS code generation reads, at the paths ios/apollo-codegen-config.json names
      'ios/apollo-codegen-config.json',
      'ios/README.md',
      'src/generated/schema.graphql',
      'src/operations/events.graphql',
    ]),
  );
  const iosInputs = (f: string) => f === 'src/generated/schema.graphql' || /^src\/operations\/\w+\.graphql$/.test(f);
  expect(packedFiles.filter((f) => (f.startsWith('src/') && !iosInputs(f)) || f.startsWith('test/'))).toEqual([]);
  const installed = JSON.parse(readFileSync(join(project, 'node_modules', '@eventgraph', 'sdk', 'package.json'), 'utf8'));
  expect(installed.sideEffects).toBe(false);
  // the peer dependency was installed beside it: one graphql for the application
  expect(JSON.parse(readFileSync(join(project, 'node_modules', 'graphql', 'package.json'), 'utf8')).version).toMatch(/^16\./);
});

it('type-checks a consumer against the installed package with node16 and bundler resolution', async () => {
  writeFileSync(join(project, 'consumer.mts'), consumer(ESM_IMPORTS));
  writeFileSync(join(project, 'consumer.cts'), consumer(CJS_IMPORTS));
  const common = {
    strict: true,
    target: 'ES2022',
    skipLibCheck: true, // as most applications do; the declarations themselves were checked when tsup wrote them
    types: ['node'],
  };
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { ...common, module: 'node16', moduleResolution: 'node16' },
      files: ['consumer.mts', 'consumer.cts'],
    }),
  );
  writeFileSync(
    join(project, 'tsconfig.bundler.json'),
    JSON.stringify({
      compilerOptions: { ...common, module: 'esnext', moduleResolution: 'bundler', noEmit: true },
      files: ['consumer.mts'],
    }),
  );
  await Promise.all([
    run(process.execPath, [TSC, '-p', 'tsconfig.bundler.json'], project),
    run(process.execPath, [TSC, '-p', 'tsconfig.json'], project), // emits consumer.mjs and consumer.cjs
  ]);
}, 60_000);

describe.each([
  ['ESM', 'consumer.mjs'],
  ['CommonJS', 'consumer.cjs'],
])('the installed package under Node as %s', (_kind, script) => {
  it('runs a query, gets a typed error and receives a subscription event from the live platform', async () => {
    const child = spawn(process.execPath, [script, platform.gateway.url, platform.devToken, world.event.id], {
      cwd: project,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const lines: Array<Record<string, unknown>> = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const subscribed = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          lines.push(JSON.parse(line));
          if (line.includes('subscribed')) resolve();
        }
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await within(20_000, `${script} subscribing (stderr: ${stderr})`, subscribed);
    await waitForLive(platform, 'event.*');
    const title = `Renamed by ${script}`;
    await platform.data(`mutation($id: ID!, $title: String!) { updateEvent(id: $id, input: { title: $title }) { id } }`, {
      id: world.event.id,
      title,
    });
    expect(await within(20_000, `${script} exiting`, exited)).toBe(0);
    expect(stderr).toBe('');
    expect(lines).toEqual([
      { query: expect.any(String) },
      { error: 'typed' },
      { subscribed: true },
      { subscription: title, kind: expect.any(String) },
    ]);
  }, 45_000);
});
