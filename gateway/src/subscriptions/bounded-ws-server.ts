import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import { ErrorCode } from './errors';
import { silentLogger, type EngineLogger } from './logger';

/** Ours, beside graphql-ws's own codes: the client left too much unread (HTTP's 413, Content Too Large). */
export const CLOSE_SLOW_SUBSCRIBER = 4413;

export interface SendBufferBound {
  /** bytes a socket may hold unsent when another message is due; past it the connection is closed (0: no bound) */
  maxBytes: number;
  /** told of every connection closed for it */
  onSlowSubscriber?(): void;
}

/** graphql-ws's context `extra` here: what 'graphql-ws/use/ws' provides, and the connection's bounded send. */
export interface BoundedExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  /** sends a message as graphql-ws does, under the same bound, or several in one write (results the adapter sends itself) */
  readonly send: (data: string | readonly string[]) => void;
}

/** After the close frame (queued behind what the client has not read), the socket is destroyed this much later. */
const CUT_OFF_GRACE_MS = 5_000;
/** graphql-ws's own keep-alive: a ping this often, and a socket whose pong does not come as long is terminated. */
const KEEP_ALIVE_MS = 12_000;

/**
 * graphql-ws's core (`makeServer`) on `ws` sockets, as graphql-ws's `use/ws` adapter does, with one
 * difference: a message goes to the socket without waiting for the socket to flush it. `use/ws` waits,
 * and graphql-ws takes a subscription's next result only once the last one was sent, so a client that
 * stops reading would leave its backlog in the gateway as results (up to 1,000 per subscription), sized
 * by count, never by bytes, and held until the socket dies. Sent at once, the backlog is in the socket,
 * where `bufferedAmount` measures it in bytes across all the connection's operations, and one bound
 * cuts the connection off: closed with 4413 SLOW_SUBSCRIBER, nothing more sent to it, its streams ended
 * (which leaves their shared upstreams), while every other subscriber keeps receiving.
 */
export function useBoundedServer<P extends Record<string, unknown>, E extends BoundedExtra>(
  options: ServerOptions<P, E>,
  wss: WebSocketServer,
  bound: SendBufferBound,
  logger: EngineLogger = silentLogger,
): { dispose(): Promise<void> } {
  const server = makeServer(options);
  const internalError = (err: unknown) =>
    process.env.NODE_ENV === 'production'
      ? 'Internal server error'
      : (err instanceof Error ? err.message : String(err)).slice(0, 100);
  wss.options.handleProtocols = handleProtocols;

  const cutOff = (socket: WebSocket) => {
    logger.warn({ bufferedBytes: socket.bufferedAmount, maxBytes: bound.maxBytes }, 'slow subscriber cut off');
    bound.onSlowSubscriber?.();
    socket.close(CLOSE_SLOW_SUBSCRIBER, ErrorCode.SlowSubscriber);
    // the close frame waits behind the unread bytes; a client that never reads them gets no handshake
    setTimeout(() => socket.terminate(), CUT_OFF_GRACE_MS).unref();
  };

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    socket.once('error', (err) => {
      logger.error({ err }, 'graphql-ws socket failed');
      socket.close(CloseCode.InternalServerError, internalError(err));
    });
    const keepAlive = keepSocketAlive(socket);
    const send = (data: string | readonly string[]): void => {
      if (socket.readyState !== socket.OPEN) return;
      // what the client has not read yet, before this message: one large result alone never counts against it
      if (bound.maxBytes > 0 && socket.bufferedAmount > bound.maxBytes) return cutOff(socket);
      if (typeof data === 'string') return socket.send(data);
      // several messages (a subscriber's results ready together) in one system call instead of one each: the
      // upgraded request's socket is the one ws writes its frames to
      request.socket.cork();
      for (const message of data) socket.send(message);
      request.socket.uncork();
    };
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send,
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (message) => {
            handle(String(message)).catch((err: unknown) => {
              logger.error({ err }, 'handling a graphql-ws message failed');
              socket.close(CloseCode.InternalServerError, internalError(err));
            });
          }),
      },
      { socket, request, send } as E,
    );
    socket.once('close', (code, reason) => {
      keepAlive.stop();
      void closed(code, String(reason));
    });
  });

  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** Pings the socket every KEEP_ALIVE_MS and terminates it when its pong does not come in time. */
function keepSocketAlive(socket: WebSocket): { stop(): void } {
  let pongWait: NodeJS.Timeout | undefined;
  const ping = setInterval(() => {
    if (socket.readyState !== socket.OPEN) return;
    pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
    socket.once('pong', () => clearTimeout(pongWait));
    socket.ping();
  }, KEEP_ALIVE_MS);
  return {
    stop() {
      clearInterval(ping);
      clearTimeout(pongWait);
    },
  };
}
