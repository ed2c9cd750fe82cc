import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composePlatform } from '../src/compose';
import { createDemoWorld } from './support/demo-data';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

const ROOT = join(__dirname, '..', '..');
const SUPERGRAPH = join(ROOT, 'gateway', 'supergraph.graphql');

function runGateway(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'gateway', 'src', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = /Eventgraph gateway: (\S+)/.exec(output);
      if (match) return match[1]!;
      if (child.exitCode !== null) throw new Error(`gateway exited: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`gateway did not start: ${output}`);
  };
  return { child, exited, url, output: () => output };
}

it('the committed supergraph is the composition of the subgraphs as they are', async () => {
  const composition = composePlatform();
  expect(composition.ok).toBe(true);
  expect(await readFile(SUPERGRAPH, 'utf8')).toBe(composition.ok && composition.supergraphSdl);
});

describe('the gateway program', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(() => platform?.stop());

  it('serves the supergraph file it is given, routed to the subgraphs it is told, and stops on SIGTERM', async () => {
    const world = await createDemoWorld(platform);
    const overrides = {
      ...Object.fromEntries(Object.entries(platform.subgraphs).map(([name, s]) => [`SUBGRAPH_URL_${name.toUpperCase()}`, s.url])),
      // the platform's own bus stream (see test-platform.ts)
      NATS_STREAM: platform.settings.NATS_STREAM,
      NATS_SUBJECT_PREFIX: platform.settings.NATS_SUBJECT_PREFIX,
    };
    const gateway = runGateway(['--supergraph', SUPERGRAPH, '--port', '0'], overrides);
    try {
      const url = await gateway.url();
      expect((await fetch(url.replace(/graphql$/, 'health'))).status).toBe(200);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.devToken}` },
        body: JSON.stringify({
          query: `query($id: ID!) { event(id: $id) { title organization { name } series { name } } }`,
          variables: { id: world.event.id },
        }),
      });
      expect(await response.json()).toEqual({
        data: { event: { title: 'Summer Sound', organization: { name: world.org.name }, series: [{ name: 'Day 1' }] } },
      });
    } finally {
      gateway.child.kill('SIGTERM');
    }
    expect(await gateway.exited).toBe(0);
  });

  it('refuses to start on a bad setting, naming it', async () => {
    const gateway = runGateway(['--supergraph', SUPERGRAPH], { PORT: 'eighty' });
    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toContain('PORT');
  });

  it('refuses to start without a supergraph file, saying how to make one', async () => {
    const gateway = runGateway(['--supergraph', join(ROOT, 'no-such-supergraph.graphql'), '--port', '0'], {});
    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toContain('npm run compose');
  });
});
