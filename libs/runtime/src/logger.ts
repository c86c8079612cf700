/**
 * One pino logger per process: JSON lines on stdout, ISO timestamps, level as a label, and
 * redaction paths fixed here (not configurable, so that a deployment cannot switch them off).
 * Child loggers carry messageId, deliveryId, jobId, queue and topic.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  '*.password',
  '*.pass',
  '*.apiKey',
  '*.token',
  'config.DATABASE_URL',
  'config.SMTP_URL',
  'config.REDIS_URL',
  'config.SMS_PROVIDER_API_KEY',
  'config.KAFKA_SASL_PASSWORD',
  'config.API_KEYS',
];

export interface LoggerSettings {
  /** The service name, written as `service` on every line. */
  service: string;
  level: LogLevel;
  /** Pretty-print for a person at a terminal. Defaults to whether stdout is a TTY. */
  pretty?: boolean;
}

export function createLogger(settings: LoggerSettings, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: settings.service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  const pretty = settings.pretty ?? process.stdout.isTTY;
  if (pretty && !destination && prettyAvailable()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return destination ? pino(options, destination) : pino(options);
}

function prettyAvailable(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
