import type { MethodDeploymentOptions, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { type MetricCallbackType, metricNames } from '../functions/metrics';
import { type HttpRoute, httpRoutes, type LambdaName } from '../functions/routes';
import { callbackTypes } from '../shared/payments/payment';
import { callbackMetric, PERIOD } from './operations-metrics';

/** The routes AltaPay's gateway calls, from the route table. */
export const gatewayRoutes: readonly HttpRoute[] = httpRoutes.filter((route) => route.access === 'gateway');

/**
 * The `callbackType` dimension a callback function publishes its metrics under: `ok` for callback-ok
 * (`callbackHandler('ok')`), `verify-order` for callback-verify-order.
 */
export const callbackDimensionOf = (lambda: LambdaName): MetricCallbackType => {
  if (lambda === 'callback-verify-order') return 'verify-order';
  const type = callbackTypes.find((t) => lambda === `callback-${t}`);
  if (type === undefined)
    throw new Error(`${lambda} is called by the gateway but publishes no callback metrics`);
  return type;
};

/**
 * The reasons a callback is refused for not being provably from the gateway (`ForgedCallbackError`'s
 * codes): a wrong or missing shared secret, as opposed to a malformed callback.
 */
export const checksumRejectionReasons = ['checksum_missing', 'checksum_mismatch'] as const;

/**
 * More rejections than this in one period raise the alarms below. A stray probe or a customer
 * reloading a page is one or two; a stale allowlist or a wrong secret refuses every callback.
 */
export const CALLBACK_REJECTIONS_THRESHOLD = 2;

/**
 * A REST API publishes 4XXError per resource and method only for the methods with detailed metrics
 * (`MetricsEnabled`); the stage's `ApiName`+`Stage` series cannot tell a refused callback from a 404 on
 * the status route. Enabled on the callback methods only (each adds 7 custom metrics), with the stage's
 * other method settings repeated, since a method's entry replaces the stage default `*∕*` for it.
 */
export const callbackMethodOptions = (
  stageDefaults: MethodDeploymentOptions,
): Record<string, MethodDeploymentOptions> =>
  Object.fromEntries(
    gatewayRoutes.map((route) => [
      `${route.path}/${route.method}`,
      { ...stageDefaults, metricsEnabled: true },
    ]),
  );

/** API Gateway's 4XXError count of one callback method: the resource policy's 403s and the handler's. */
export const callbackClientErrors = (api: RestApi, route: HttpRoute): Metric =>
  new Metric({
    namespace: 'AWS/ApiGateway',
    metricName: '4XXError',
    dimensionsMap: {
      ApiName: api.restApiName,
      Method: route.method,
      Resource: route.path,
      Stage: api.deploymentStage.stageName,
    },
    statistic: 'Sum',
    period: PERIOD,
  });

/** Callbacks to `route` this copy's handler (`service`) refused for their checksum (CallbackRejections, both reasons). */
export const checksumRejections = (service: string, route: HttpRoute): MathExpression => {
  const callbackType = callbackDimensionOf(route.lambda);
  // Ids unique per route: one graph shows every route's expression, and ids must not repeat in a graph.
  const id = (i: number) => `${callbackType.replaceAll('-', '_')}_r${i}`;
  return new MathExpression({
    // FILL: a reason that did not occur has no data points, which would void the sum.
    expression: checksumRejectionReasons.map((_, i) => `FILL(${id(i)}, 0)`).join(' + '),
    usingMetrics: Object.fromEntries(
      checksumRejectionReasons.map((reason, i) => [
        id(i),
        callbackMetric(service, metricNames.callbackRejections, callbackType, 'Sum', { reason }),
      ]),
    ),
    label: `${route.path} checksum rejected`,
    period: PERIOD,
  });
};
