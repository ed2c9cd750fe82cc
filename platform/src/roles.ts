/**
 * The deployables of the platform, each run by `platform/src/serve.ts --role <role>`: what the Dockerfile,
 * docker-compose.yml and deploy/kubernetes name (a test holds them to this list).
 */
export const SUBGRAPH_ROLES = ['users', 'events', 'access', 'ingest'] as const;
export const ROLES = ['migrate', 'gateway', ...SUBGRAPH_ROLES] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);

/** The port each serving role listens on unless PORT says otherwise. */
export const DEFAULT_PORTS = { gateway: 4000, users: 4001, events: 4002, access: 4003, ingest: 4004 } as const;

/** What every serving role answers over HTTP, for liveness and readiness probes (`migrate` serves nothing). */
export const PROBES = {
  /** alive: the process answers */
  liveness: '/health',
  /** takes traffic: a subgraph reaches its database; the gateway reaches every subgraph, no circuit open */
  readiness: '/ready',
} as const;

/** How the image runs the role program (the Dockerfile's ENTRYPOINT; the scale-out test runs the same). */
export const SERVE_COMMAND = ['node', '--import', 'tsx', 'platform/src/serve.ts'] as const;
