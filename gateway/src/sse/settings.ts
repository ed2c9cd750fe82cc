import { loadIntSettings } from '@eventgraph/runtime';

/** Server-sent events: resumption, keep-alive and the bound on streams nobody reads. */
export interface SseSettings {
  /** messages kept per stream for Last-Event-ID (EVENTGRAPH_SSE_REPLAY_EVENTS, 100) */
  replayEvents: number;
  /** bytes kept per stream for Last-Event-ID (256 KiB) */
  replayBytes: number;
  /**
   * how long a message is kept for replay, and how long a stream goes on without a reader so a client that
   * reconnects within it misses nothing (EVENTGRAPH_SSE_REPLAY_SECONDS, 30 s)
   */
  replayMs: number;
  /** a comment line this often keeps proxies from cutting a quiet stream (EVENTGRAPH_SSE_KEEPALIVE_SECONDS, 15 s) */
  keepAliveMs: number;
  /** the `retry:` hint: how long a client waits before reconnecting (EVENTGRAPH_SSE_RETRY_MS, 2 s) */
  retryMs: number;
  /** streams kept without a reader; past it the one idle longest ends (EVENTGRAPH_SSE_MAX_IDLE_STREAMS, 1,000) */
  maxIdleStreams: number;
  /** how long to wait for the owning subgraph to accept a subscription before the stream starts anyway (5 s) */
  acceptTimeoutMs: number;
}

export function sseSettingsFromEnv(env: Record<string, string | undefined> = process.env): SseSettings {
  const read = loadIntSettings(
    {
      EVENTGRAPH_SSE_REPLAY_EVENTS: [100, 0, 100_000],
      EVENTGRAPH_SSE_REPLAY_SECONDS: [30, 0, 3_600],
      EVENTGRAPH_SSE_KEEPALIVE_SECONDS: [15, 1, 300],
      EVENTGRAPH_SSE_RETRY_MS: [2_000, 0, 600_000],
      EVENTGRAPH_SSE_MAX_IDLE_STREAMS: [1_000, 0, 1_000_000],
    },
    env,
  );
  return {
    replayEvents: read.EVENTGRAPH_SSE_REPLAY_EVENTS,
    replayBytes: 256 * 1024,
    replayMs: read.EVENTGRAPH_SSE_REPLAY_SECONDS * 1_000,
    keepAliveMs: read.EVENTGRAPH_SSE_KEEPALIVE_SECONDS * 1_000,
    retryMs: read.EVENTGRAPH_SSE_RETRY_MS,
    maxIdleStreams: read.EVENTGRAPH_SSE_MAX_IDLE_STREAMS,
    acceptTimeoutMs: 5_000,
  };
}
