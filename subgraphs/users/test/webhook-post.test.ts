import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPrivateAddress, isPrivateHost } from '../src/domain/network-targets';
import { endpointUrlProblem } from '../src/domain/webhooks';
import { postWebhook, PrivateTargetError, type Resolve } from '../src/webhooks/post';
import { loadWebhookSettings } from '../src/webhooks/settings';

describe('private network addresses', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.10', true],
    ['169.254.169.254', true], // cloud metadata
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fd12:3456::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['2001:4860:4860::8888', false],
    ['::ffff:8.8.8.8', false],
    ['not-an-address', false],
  ])('%s is private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it('judges a host on its face: literals and localhost; names wait for resolution', () => {
    expect(isPrivateHost('localhost')).toBe(true);
    expect(isPrivateHost('api.localhost')).toBe(true);
    expect(isPrivateHost('[::1]')).toBe(true);
    expect(isPrivateHost('127.0.0.1')).toBe(true);
    expect(isPrivateHost('hooks.example.com')).toBe(false);
  });

  it('refuses such an endpoint at registration only when private targets are denied', () => {
    expect(endpointUrlProblem('http://169.254.169.254/latest/meta-data', true)).toBe(
      'must not point to a private or local address',
    );
    expect(endpointUrlProblem('http://localhost:3000/hooks', true)).toBe('must not point to a private or local address');
    expect(endpointUrlProblem('https://hooks.example.com/in', true)).toBeNull();
    expect(endpointUrlProblem('http://localhost:3000/hooks', false)).toBeNull();
  });

  it('denies them by default in production, allows them elsewhere, and says when the setting is wrong', () => {
    expect(loadWebhookSettings({ NODE_ENV: 'production' }).privateTargets).toBe('deny');
    expect(loadWebhookSettings({ NODE_ENV: 'development' }).privateTargets).toBe('allow');
    expect(loadWebhookSettings({ NODE_ENV: 'production', WEBHOOK_PRIVATE_TARGETS: 'allow' }).privateTargets).toBe('allow');
    expect(() => loadWebhookSettings({ WEBHOOK_PRIVATE_TARGETS: 'maybe' })).toThrow(
      /WEBHOOK_PRIVATE_TARGETS: must be allow or deny/,
    );
  });
});

describe('posting a webhook attempt', () => {
  let server: Server;
  let port: number;
  const received: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push(body);
        if (req.url === '/moved') res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
        else if (req.url === '/huge') res.writeHead(500).end('x'.repeat(1_000_000));
        else res.writeHead(202).end('thanks');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const init = () => ({ headers: { 'content-type': 'application/json' }, body: '{"n":1}', signal: AbortSignal.timeout(5000) });
  /** a name the test's resolver sends to this machine, as a rebinding DNS server would */
  const toLoopback: Resolve = (_hostname, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]);

  it('posts the body, answers with the status and the start of the answer, and never follows a redirect', async () => {
    const post = postWebhook({ denyPrivate: false });
    const ok = await post(`http://127.0.0.1:${port}/in`, init());
    expect([ok.status, await ok.text()]).toEqual([202, 'thanks']);
    expect(received.at(-1)).toBe('{"n":1}');
    expect((await post(`http://127.0.0.1:${port}/moved`, init())).status).toBe(302);
    const huge = await post(`http://127.0.0.1:${port}/huge`, init());
    expect(huge.status).toBe(500);
    expect((await huge.text()).length).toBeLessThan(100_000);
  });

  it('with private targets denied, refuses address literals and names that resolve to them, before any request', async () => {
    const before = received.length;
    const post = postWebhook({ denyPrivate: true, resolve: toLoopback });
    await expect(post(`http://127.0.0.1:${port}/in`, init())).rejects.toBeInstanceOf(PrivateTargetError);
    await expect(post(`http://localhost:${port}/in`, init())).rejects.toBeInstanceOf(PrivateTargetError);
    const rebound = post(`http://hooks.example.com:${port}/in`, init());
    await expect(rebound).rejects.toBeInstanceOf(PrivateTargetError);
    await expect(rebound).rejects.toThrow('hooks.example.com resolves to 127.0.0.1, a private address');
    expect(received.length).toBe(before);
    // allowed, the same name reaches the receiver through the same resolver
    const allowed = await postWebhook({ denyPrivate: false, resolve: toLoopback })(`http://hooks.example.com:${port}/in`, init());
    expect(allowed.status).toBe(202);
  });
});
