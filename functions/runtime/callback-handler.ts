import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  htmlResponse,
  readBody,
  redirectResponse,
  requireFormContentType,
  textResponse,
} from '../../adapters/api-gateway';
import { callbackBodyLimitBytes } from '../../shared/altapay/callback-form';
import { answerCallback, type CallbackAnswer } from '../../shared/callbacks/callback-answer';
import { recordCallback } from '../../shared/callbacks/record-callback';
import { renderCallbackPage } from '../../shared/pages';
import type { CallbackType } from '../../shared/payments/payment';
import { clock, log, newId, paymentStore, settings, workQueue } from './dependencies';
import { type HttpHandler, httpHandler } from './http';
import { publishCallbackMetrics } from './metrics';

/** The Lambda handler for one callback type: decode → record (one use case) → answer. */
export function callbackHandler(callbackType: CallbackType): HttpHandler {
  const deps = {
    store: paymentStore(),
    queue: workQueue(),
    clock,
    log,
    newId,
    // A getter: the secrets may be re-read by refreshSettings while the function stays warm.
    get callbackSecrets() {
      return settings.callbackSecrets;
    },
    queueWhenTableFails: true,
  };
  return httpHandler(async (event) => {
    log.appendKeys({ callbackType });
    const startedAt = Date.now();
    try {
      requireFormContentType(event);
      const body = readBody(event, callbackBodyLimitBytes);
      const recorded = await recordCallback(deps, callbackType, body);
      publishCallbackMetrics(callbackType, startedAt, { recorded: recorded.outcome });
      return toResponse(answerCallback(callbackType, recorded, settings));
    } catch (error) {
      publishCallbackMetrics(callbackType, startedAt, { error });
      throw error;
    }
  });
}

function toResponse(answer: CallbackAnswer): APIGatewayProxyResult {
  switch (answer.kind) {
    case 'page':
      return htmlResponse(200, renderCallbackPage(answer.page, settings.pageTexts));
    case 'redirect':
      return redirectResponse(answer.location);
    case 'text':
      return textResponse(200, answer.text);
  }
}
