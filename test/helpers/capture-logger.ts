import { Writable } from 'node:stream';
import winston, { type Logger } from 'winston';

/** A winston logger that keeps every entry it is given (level, message, meta) for assertions. */
export function captureLogger(level = 'debug'): { logger: Logger; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: Record<string, unknown>, _enc, done) {
      entries.push({ ...info });
      done();
    },
  });
  const logger = winston.createLogger({ level, transports: [new winston.transports.Stream({ stream })] });
  return { logger, entries };
}
