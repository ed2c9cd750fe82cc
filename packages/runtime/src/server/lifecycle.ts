import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops accepting connections and waits for in-flight requests to finish;
 * connections still busy after `graceMs` are cut so shutdown always ends.
 */
export function closeGracefully(server: Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    // keep-alive connections become idle as their last request finishes; close them then, not at their timeout
    const sweeper = setInterval(() => server.closeIdleConnections(), 25);
    server.close(() => {
      clearTimeout(deadline);
      clearInterval(sweeper);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits; a second signal meanwhile does not cut the stop short. */
export function stopOnSignals(
  stop: () => Promise<void>,
  log: { info(msg: string): void; error(o: object, msg: string): void },
): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received, shutting down`);
    stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // kept while stopping (not `once`): with no listener left, a repeated signal would end the process at once
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
