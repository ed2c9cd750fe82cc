import { DEFAULT_MAX_IN_FLIGHT, EVENT_LOOP_DELAY_SETTING, loadIntSettings, type LoadSheddingSettings } from '@eventgraph/runtime';

/** What the gateway takes on before it refuses more: HTTP requests at once, and unread bytes per socket. */
export interface OverloadSettings {
  loadShedding: LoadSheddingSettings;
  /** a graphql-ws connection holding more unsent bytes is closed with 4413 SLOW_SUBSCRIBER (0: no bound) */
  maxSocketBufferBytes: number;
}

/** A few MiB: hundreds of ordinary results, far more than a client that is keeping up ever leaves unread. */
export const DEFAULT_MAX_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Settings from EVENTGRAPH_MAX_IN_FLIGHT (1,000; 0: no bound), EVENTGRAPH_MAX_EVENT_LOOP_DELAY_MS (0: not
 * watched) and EVENTGRAPH_MAX_SOCKET_BUFFER_BYTES (4 MiB; 0: no bound). A bad value stops the start.
 */
export function overloadSettingsFromEnv(env: Record<string, string | undefined> = process.env): OverloadSettings {
  const read = loadIntSettings(
    {
      EVENTGRAPH_MAX_IN_FLIGHT: [DEFAULT_MAX_IN_FLIGHT, 0, 1_000_000],
      EVENTGRAPH_MAX_SOCKET_BUFFER_BYTES: [DEFAULT_MAX_SOCKET_BUFFER_BYTES, 0, 2 ** 30],
      ...EVENT_LOOP_DELAY_SETTING,
    },
    env,
  );
  return {
    loadShedding: { maxInFlight: read.EVENTGRAPH_MAX_IN_FLIGHT, maxEventLoopDelayMs: read.EVENTGRAPH_MAX_EVENT_LOOP_DELAY_MS },
    maxSocketBufferBytes: read.EVENTGRAPH_MAX_SOCKET_BUFFER_BYTES,
  };
}
