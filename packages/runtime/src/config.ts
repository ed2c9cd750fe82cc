import { z } from 'zod';

/**
 * Configuration is read once at start and validated; a bad value stops the
 * process with a message naming the setting, instead of failing later.
 */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  return parsed.data;
}

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** a JetStream stream name or subject token */
const natsName = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');

/** The settings every Eventgraph process shares. */
export const platformSettings = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** PostgreSQL server; without it the embedded PGlite default is used */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** where embedded databases live (one directory per subgraph); `memory` keeps them in memory */
  EVENTGRAPH_DATA_DIR: z.string().default('./.eventgraph'),
  /** HMAC secret shared by the gateway and the subgraphs to sign the forwarded principal */
  EVENTGRAPH_PRINCIPAL_SECRET: z.string().min(16, 'must be at least 16 characters').default('eventgraph-development-secret'),
  /** HMAC secret of user access tokens (issued by users, verified by the gateway) */
  EVENTGRAPH_JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .default('eventgraph-development-jwt-secret-0123456789'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .default(30 * 86_400),
  EVENTGRAPH_BUS: z.enum(['memory', 'nats']).default('memory'),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  /** the JetStream stream and subject prefix: two deployments sharing one NATS server keep their events apart */
  NATS_STREAM: natsName.default('EVENTGRAPH'),
  NATS_SUBJECT_PREFIX: natsName.default('eventgraph'),
  /**
   * apply: a subgraph applies its pending migrations when it starts (one process, the embedded default);
   * wait: it waits until they have been applied by someone else (the `migrate` role, a Kubernetes Job), so
   * replicas starting together never migrate at once. PostgreSQL server only.
   */
  EVENTGRAPH_MIGRATIONS: z.enum(['apply', 'wait']).default('apply'),
});

export type PlatformSettings = z.infer<typeof platformSettings>;

export function loadPlatformSettings(env: Record<string, string | undefined> = process.env): PlatformSettings {
  const settings = loadConfig(platformSettings, env);
  if (settings.NODE_ENV === 'production') {
    const defaults = platformSettings.parse({});
    const problems = (['EVENTGRAPH_PRINCIPAL_SECRET', 'EVENTGRAPH_JWT_SECRET'] as const)
      .filter((name) => settings[name] === defaults[name])
      .map((name) => `${name}: the development secret cannot be used in production`);
    if (problems.length) throw new ConfigError(problems);
  }
  return settings;
}

/**
 * Integer settings of one part of a subgraph, each `[default, min, max]`, read from the environment at once:
 * a bad value stops the start naming the setting (ConfigError), like the platform's own settings.
 */
export function loadIntSettings<K extends string>(
  spec: Record<K, readonly [fallback: number, min: number, max: number]>,
  env: Record<string, string | undefined> = process.env,
): Record<K, number> {
  const shape = Object.fromEntries(
    Object.entries<readonly [number, number, number]>(spec).map(([name, [fallback, min, max]]) => [
      name,
      z.coerce.number().int().min(min).max(max).default(fallback),
    ]),
  );
  return loadConfig(z.object(shape), env) as Record<K, number>;
}
