import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { errorResponse, header } from '../../adapters/api-gateway';
import { languageFromAcceptLanguage } from '../../shared/pages';
import { log, refreshSettings, settings } from './dependencies';

export type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * Wraps a route's work with what every HTTP Lambda needs: the request's correlation ids on every log
 * line, and every error mapped to an answer in one place (adapters/api-gateway.ts).
 */
export function httpHandler(
  work: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
  errorFormat: (event: APIGatewayProxyEvent) => 'json' | 'html' = () => 'json',
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
      if (errorFormat(event) === 'json') return errorResponse(error, log, 'json');
      // The order may be what could not be read, so the browser's own language is the one we know.
      return errorResponse(error, log, {
        language: languageFromAcceptLanguage(header(event, 'accept-language')),
        merchantName: settings.merchantName,
        catalogue: settings.pageTexts,
        ...(settings.shopUrl === undefined ? {} : { shopUrl: settings.shopUrl.toString() }),
      });
    } finally {
      log.resetKeys();
    }
  };
}
