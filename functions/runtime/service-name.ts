import { defaultServiceName } from '../metrics';

/**
 * The service this function runs as, for its logs and metrics: `POWERTOOLS_SERVICE_NAME` (each deployment
 * sets its own), or the default one where nothing sets it (unit tests).
 */
export const serviceNameOf = (env: NodeJS.ProcessEnv = process.env): string =>
  env.POWERTOOLS_SERVICE_NAME || defaultServiceName;
