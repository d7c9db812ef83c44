import winston from 'winston';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The process's one root logger; every part gets a child with `{ part }`. JSON when not on a TTY. */
export function createLogger(level: LogLevel, json = !process.stderr.isTTY): winston.Logger {
  const text = winston.format.printf(({ level: l, message, timestamp, part, ...rest }) => {
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${timestamp} ${l} [${part ?? 'gateway'}] ${message}${extra}`;
  });
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), json ? winston.format.json() : text),
    transports: [new winston.transports.Console({ stderrLevels: [...LOG_LEVELS] })],
  });
}
