import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type ErrorFormat, errorResponse } from '../../adapters/api-gateway';
import { log, refreshSettings } from './dependencies';

export type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * Wraps a route's work with what every HTTP Lambda needs: the request's correlation ids on every log
 * line, and every error mapped to an answer in one place (adapters/api-gateway.ts).
 */
export function httpHandler(
  work: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
  errorFormat: (event: APIGatewayProxyEvent) => ErrorFormat = () => 'json',
): HttpHandler {
  return async (event, context) => {
    log.addContext(context);
    log.appendKeys({
      requestId: event.requestContext?.requestId,
      route: `${event.httpMethod} ${event.resource}`,
    });
    try {
      await refreshSettings();
      return await work(event);
    } catch (error) {
      return errorResponse(error, log, errorFormat(event));
    } finally {
      log.resetKeys();
    }
  };
}
