import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; every line of a request carries its request id through child loggers. */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { service: name } });
}
