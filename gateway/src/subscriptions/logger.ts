/** Structured (pino-style) logger accepted by the engine. */
export interface EngineLogger {
  debug(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

const noop = (): void => {};
export const silentLogger: EngineLogger = {
  debug: noop,
  warn: noop,
  error: noop,
};

/** @apollo/gateway logs plain messages; route them into the structured logger. */
export function toApolloLogger(logger: EngineLogger) {
  return {
    debug: (message?: unknown) => logger.debug({ source: '@apollo/gateway' }, String(message)),
    info: (message?: unknown) => logger.debug({ source: '@apollo/gateway' }, String(message)),
    warn: (message?: unknown) => logger.warn({ source: '@apollo/gateway' }, String(message)),
    error: (message?: unknown) => logger.error({ source: '@apollo/gateway' }, String(message)),
  };
}
