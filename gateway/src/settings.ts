import { z } from 'zod';
import { loadConfig, loadPlatformSettings, port } from '@eventgraph/runtime';
import { createRateLimiter } from './rate-limit';
import { INTROSPECTION_POLICIES } from './schema-exposure';
import { parseOriginList } from './cors';
import { operationLimitSettings } from './limits/limits-config';
import { graphiqlEnabled, graphiqlSettings } from './graphiql';

export const gatewaySettings = z.object({
  PORT: port(4000),
  HOST: z.string().default('127.0.0.1'),
  /** the development credential: `Authorization: Bearer <token>` acts as a platform service; `off` disables it */
  EVENTGRAPH_DEV_TOKEN: z.string().min(3, 'must be at least 3 characters').optional(),
  /**
   * who may introspect the schema and see "Did you mean …?" hints: on (everyone), members (signed-in users and
   * the platform, not anonymous callers, API keys or devices), off (the platform only). Default: on while
   * developing, members in production.
   */
  EVENTGRAPH_INTROSPECTION: z.enum(INTROSPECTION_POLICIES).optional(),
  /** how often every open graphql-ws connection's caller is checked again, bus event or not (0: never) */
  EVENTGRAPH_WS_REVALIDATE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(30),
  /** proxies (load balancers) of our own in front of the gateway: their X-Forwarded-For entries name the client */
  EVENTGRAPH_TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * the platform's own web apps, allowed to call from browsers: comma-separated origins such as
   * `https://app.example.com,http://localhost:5173` (scheme, host, port; no paths or wildcards). Partner sites
   * are listed per partner app (its white-label `allowedOrigins`), not here. Default: none.
   */
  EVENTGRAPH_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return parseOriginList(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** operation limits per kind of caller, without code: a JSON file and/or EVENTGRAPH_MAX_COST[_<KIND>] */
  ...operationLimitSettings,
  ...graphiqlSettings,
  /** `/metrics` on the gateway answers `Authorization: Bearer <token>`; unset: only direct scrapes from private addresses */
  EVENTGRAPH_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** rate-limit buckets shared by every gateway replica; without it each gateway counts in memory */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
});

export function loadGatewaySettings(env: Record<string, string | undefined> = process.env) {
  const platform = loadPlatformSettings(env);
  const gateway = loadConfig(gatewaySettings, env);
  // on by default while developing, never in production unless asked for explicitly
  const devToken = gateway.EVENTGRAPH_DEV_TOKEN ?? (platform.NODE_ENV === 'production' ? undefined : 'eventgraph-dev-token');
  const introspection = gateway.EVENTGRAPH_INTROSPECTION ?? (platform.NODE_ENV === 'production' ? 'members' : 'on');
  return {
    ...platform,
    ...gateway,
    EVENTGRAPH_DEV_TOKEN: devToken === 'off' ? undefined : devToken,
    EVENTGRAPH_INTROSPECTION: introspection,
    EVENTGRAPH_GRAPHIQL: graphiqlEnabled(gateway.EVENTGRAPH_GRAPHIQL, platform.NODE_ENV) ? ('on' as const) : ('off' as const),
  };
}

/** SUBGRAPH_URL_USERS=http://… overrides the supergraph's routing URL of `users`. */
export function subgraphUrlOverrides(env: Record<string, string | undefined> = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter(([key, value]) => key.startsWith('SUBGRAPH_URL_') && value)
      .map(([key, value]) => [key.slice('SUBGRAPH_URL_'.length).toLowerCase(), value!]),
  );
}

/** Where rate-limit buckets live: Redis when configured (shared by replicas), else this process's memory. */
export const rateLimiterFor = (settings: { REDIS_URL?: string }) =>
  createRateLimiter(settings.REDIS_URL ? { kind: 'redis', url: settings.REDIS_URL } : { kind: 'memory' });
