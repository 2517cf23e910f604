/**
 * Fail fast: the gateway waits at most 5 s for a notification. Two tries of at most 2 s each keep a
 * hung dependency from eating the budget; a failure becomes a 503 the gateway may retry.
 */
export const sdkOptions = {
  maxAttempts: 2,
  // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes, and waits on.
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
};
