import { describe, expect, it } from 'vitest';
import { type LambdaName, lambdas } from '../../functions/routes';
import { secretsRead, synthesize } from './support';

// Prepare: the app as `infra/app.ts` builds it, bundling skipped.
const { permissionsOf } = synthesize();

/** What every function's runtime needs: its own log group, and X-Ray (which has no resource-level permissions). */
const runtime = {
  'own log group': ['logs:CreateLogStream', 'logs:PutLogEvents'],
  '*': ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
};

/** Reads and writes the payment item: a conditional put for a new payment, updates after that. */
const readsAndWritesPayments = { table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] };

const sendsWork = { 'work queue': ['sqs:SendMessage'] };

/**
 * Everything each function may do, by resource, as its code calls it (handler → use case → store and
 * queue adapters). Written out, not derived from `infra/function-access.ts`: a grant added there, or
 * one taken away, fails this table.
 */
const expected: Readonly<Record<LambdaName, Record<string, readonly string[]>>> = {
  'callback-ok': { ...readsAndWritesPayments, ...sendsWork },
  'callback-fail': { ...readsAndWritesPayments, ...sendsWork },
  'callback-open': { ...readsAndWritesPayments, ...sendsWork },
  'callback-notification': { ...readsAndWritesPayments, ...sendsWork },
  'callback-verify-order': { table: ['dynamodb:GetItem'] },
  'create-payment': readsAndWritesPayments,
  // The payment item carries its transactions and its callback log: one GetItem, no Query.
  'payment-status': { table: ['dynamodb:GetItem'] },
  // Reads and claims the operation record (its own item, a conditional put), reads and saves the
  // payment with the gateway's answer, queues the work that tells the merchant.
  'capture-payment': { ...readsAndWritesPayments, ...sendsWork },
  'refund-payment': { ...readsAndWritesPayments, ...sendsWork },
  'release-payment': { ...readsAndWritesPayments, ...sendsWork },
  'charge-payment': { ...readsAndWritesPayments, ...sendsWork },
  'payment-worker': {
    ...readsAndWritesPayments,
    'work queue': [
      // Its event source mapping, which polls with the function's role (what CDK's SqsEventSource grants).
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      // Chained work, and callbacks queued while the table was down.
      'sqs:SendMessage',
    ],
    // Parks a message on its last attempt, with the reason.
    'work dead-letter queue': ['sqs:SendMessage'],
  },
  // Queries the sparse pending-work index and queues what it finds; never reads or writes an item.
  'work-sweeper': {
    'index pendingWork': ['dynamodb:Query'],
    ...sendsWork,
    // Where Lambda, with the function's role, puts a scheduled run that failed.
    'own dead-letter queue': ['sqs:SendMessage'],
  },
  // Queries the byStatus index, then records what the gateway says on the payment item and queues its work.
  reconciler: {
    'index byStatus': ['dynamodb:Query'],
    ...readsAndWritesPayments,
    ...sendsWork,
    'own dead-letter queue': ['sqs:SendMessage'],
  },
};

/** Each secret a function reads, with the one action Powertools' getSecret sends. */
const secretPermissions = (name: LambdaName) =>
  Object.fromEntries(
    secretsRead[name].map((secret) => [`secret ${secret}`, ['secretsmanager:GetSecretValue']]),
  );

describe('the permissions of each function', () => {
  it.each(Object.keys(lambdas) as LambdaName[])('allow %s exactly what its code calls', (name) => {
    expect(permissionsOf(name)).toEqual({ ...runtime, ...expected[name], ...secretPermissions(name) });
  });
});
