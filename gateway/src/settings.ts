import { z } from 'zod';
import { loadConfig, loadPlatformSettings, port } from '@eventgraph/runtime';

export const gatewaySettings = z.object({
  PORT: port(4000),
  HOST: z.string().default('127.0.0.1'),
  /** the development credential: `Authorization: Bearer <token>` acts as a platform service */
  EVENTGRAPH_DEV_TOKEN: z.string().min(8, 'must be at least 8 characters').default('eventgraph-dev-token'),
});

export function loadGatewaySettings(env: Record<string, string | undefined> = process.env) {
  return { ...loadPlatformSettings(env), ...loadConfig(gatewaySettings, env) };
}

/** SUBGRAPH_URL_USERS=http://… overrides the supergraph's routing URL of `users`. */
export function subgraphUrlOverrides(env: Record<string, string | undefined> = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter(([key, value]) => key.startsWith('SUBGRAPH_URL_') && value)
      .map(([key, value]) => [key.slice('SUBGRAPH_URL_'.length).toLowerCase(), value!]),
  );
}
