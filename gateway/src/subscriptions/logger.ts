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
