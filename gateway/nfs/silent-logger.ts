import winston, { type Logger } from 'winston';

/** The default logger of a part nobody gave one: it drops everything. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true });
}
