import type { APIGatewayProxyEvent } from 'aws-lambda';
import { header, jsonResponse, mediaType, readBody } from '../../adapters/api-gateway';
import { shopOrderIdSchema } from '../../shared/altapay/callback-form';
import { MalformedRequestError, UnsupportedMediaTypeError } from '../../shared/errors';
import { operationView } from '../../shared/operations/operation-answer';
import type { OperationKind } from '../../shared/operations/operation-kind';
import {
  idempotencyKeyHeader,
  parseOperationBody,
  readIdempotencyKey,
} from '../../shared/operations/operation-request';
import { runOperation } from '../../shared/operations/run-operation';
import { describeIssue } from '../../shared/validation';
import { clock, log, paymentGateway, paymentStore, workQueue } from './dependencies';
import { type HttpHandler, httpHandler } from './http';

/** An order line is about 300 bytes; a body of 100 of them stays far below this. */
const bodyLimitBytes = 64 * 1024;

/**
 * POST /payments/{shopOrderId}/captures, /refunds or /releases: decodes the request, runs the
 * operation once per Idempotency-Key, and answers 201 with the operation and the payment's new
 * amounts, 502 with the gateway's reason when it refused, 503 when its answer was lost and the
 * gateway does not show the change (retry with the same key).
 */
export function operationHandler(kind: OperationKind): HttpHandler {
  const deps = { store: paymentStore(), gateway: paymentGateway(), queue: workQueue(), log, clock };
  return httpHandler(async (event) => {
    const shopOrderId = readShopOrderId(event);
    const idempotencyKey = readIdempotencyKey(header(event, idempotencyKeyHeader));
    const bytes = readBody(event, bodyLimitBytes);
    const type = mediaType(event);
    if (bytes.length > 0 && type !== 'application/json') {
      throw new UnsupportedMediaTypeError('application/json', type || undefined);
    }
    const body = parseOperationBody(kind, bytes);
    // IAM-signed on AWS: the caller's ARN. The local stack has no IAM.
    const requestedBy = event.requestContext?.identity?.userArn ?? 'local';
    const { outcome, record, replayed } = await runOperation(deps, {
      kind,
      shopOrderId,
      idempotencyKey,
      body,
      requestedBy,
    });
    const view = operationView(record);
    const answer =
      outcome === 'done'
        ? jsonResponse(201, view)
        : outcome === 'refused'
          ? jsonResponse(502, {
              error: 'gateway_refused',
              message: `AltaPay refused the ${kind}: ${record.merchantErrorMessage ?? record.result}`,
              ...view,
            })
          : jsonResponse(503, {
              error: 'outcome_unknown',
              message: `The ${kind} may or may not have happened at AltaPay (no answer, and the gateway does not show it yet): retry with the same Idempotency-Key (${idempotencyKey}); we look at the gateway before asking it again, so it is never done twice.`,
              ...view,
            });
    return replayed ? { ...answer, headers: { ...answer.headers, 'idempotent-replayed': 'true' } } : answer;
  });
}

function readShopOrderId(event: APIGatewayProxyEvent): string {
  const parsed = shopOrderIdSchema.safeParse(event.pathParameters?.shopOrderId, { reportInput: true });
  if (!parsed.success)
    throw new MalformedRequestError(
      ...describeIssue(parsed.error, shopOrderIdSchema, {
        field: 'Path parameter',
        whole: 'Path parameter shopOrderId',
      }),
    );
  return parsed.data;
}
