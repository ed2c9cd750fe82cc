import { z } from 'zod';
import { loadConfig, loadPlatformSettings, port } from '@eventgraph/runtime';
import { createRateLimiter } from './rate-limit';

export const gatewaySettings = z.object({
  PORT: port(4000),
  HOST: z.string().default('127.0.0.1'),
  /** the development credential: `Authorization: Bearer <token>` acts as a platform service; `off` disables it */
  EVENTGRAPH_DEV_TOKEN: z.string().min(3, 'must be at least 3 characters').optional(),
  /** rate-limit buckets shared by every gateway replica; without it each gateway counts in memory */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
});

export function loadGatewaySettings(env: Record<string, string | undefined> = process.env) {
  const platform = loadPlatformSettings(env);
  const gateway = loadConfig(gatewaySettings, env);
  // on by default while developing, never in production unless asked for explicitly
  const devToken = gateway.EVENTGRAPH_DEV_TOKEN ?? (platform.NODE_ENV === 'production' ? undefined : 'eventgraph-dev-token');
  return { ...platform, ...gateway, EVENTGRAPH_DEV_TOKEN: devToken === 'off' ? undefined : devToken };
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
