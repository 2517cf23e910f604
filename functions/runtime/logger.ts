import { Logger } from '@aws-lambda-powertools/logger';
import { serviceNameOf } from './service-name';
import { ShortLineLogger } from './short-log-line';

/** How the functions write their log: Powertools JSON, or one short line per entry for a person. */
export type LogFormat = 'json' | 'short';

/**
 * LOG_FORMAT, read in this one place: unset means JSON (Lambda, tests); `npm start` sets `short`
 * unless told `json`.
 */
export function logFormat(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const value = env.LOG_FORMAT ?? '';
  if (value === '' || value === 'json') return 'json';
  if (value === 'short') return 'short';
  throw new Error(`Invalid settings: LOG_FORMAT must be json or short, not '${value}'`);
}

/** The functions' logger, in the format LOG_FORMAT asks for. */
export function createLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  const serviceName = serviceNameOf(env);
  return logFormat(env) === 'short' ? new ShortLineLogger({ serviceName }) : new Logger({ serviceName });
}
