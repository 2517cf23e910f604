/**
 * What a capture, refund, release or charge request says: its `Idempotency-Key` and its body, read into one
 * shape and fingerprinted, so that a repeat can be told from another request under the same key.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { decodeUtf8 } from '../altapay/form-body';
import { orderLinesSchema } from '../checkout/order-lines';
import { MalformedRequestError } from '../errors';
import { isPositiveAmount } from '../payments/money';
import { describeIssue, rule } from '../validation';
import type { OperationKind } from './operation-kind';

export const idempotencyKeyHeader = 'Idempotency-Key';

/** What an Idempotency-Key must look like: a UUID fits, and so does any key of the shop's own making. */
const idempotencyKeyPattern = /^[A-Za-z0-9:._-]{1,200}$/;

const transactionId = rule(
  z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  "must be one of the order's transaction ids, such as 80000001",
);

/** Capture and refund: how much (all that is left when absent), of what, from which transaction. */
const moneyBodySchema = rule(
  z.strictObject({
    amount: z.optional(
      rule(
        z.string().check(z.regex(/^(0|[1-9]\d{0,8})(\.\d{1,2})?$/), z.refine(isPositiveAmount)),
        'must look like 100.00: digits, a dot, at most 2 decimals, more than 0',
      ),
    ),
    orderLines: z.optional(orderLinesSchema),
    transactionId: z.optional(transactionId),
  }),
  'must be a JSON object such as {"amount": "100.00"}, or {} for all that is left',
);

/** Release: the whole reservation goes, so only which transaction. */
const releaseBodySchema = rule(
  z.strictObject({ transactionId: z.optional(transactionId) }),
  'must be empty, {} or {"transactionId": "80000001"}',
);

/** Charge: how much to take from the agreement; `reserveOnly` reserves it for a capture later. */
const chargeBodySchema = rule(
  z.strictObject({
    amount: rule(
      z.string().check(z.regex(/^(0|[1-9]\d{0,8})(\.\d{1,2})?$/), z.refine(isPositiveAmount)),
      'must look like 49.00: digits, a dot, at most 2 decimals, more than 0',
    ),
    reserveOnly: z.optional(rule(z.boolean(), 'must be true or false')),
  }),
  'must be a JSON object such as {"amount": "49.00"} or {"amount": "49.00", "reserveOnly": true}',
);

const bodySchemas = {
  capture: moneyBodySchema,
  refund: moneyBodySchema,
  release: releaseBodySchema,
  charge: chargeBodySchema,
} as const satisfies Record<OperationKind, z.ZodMiniType>;

/** What a caller sends for one kind (capture, refund: amount, order lines, transaction; release; charge). */
export type OperationBodyOf<K extends OperationKind> = Readonly<z.input<(typeof bodySchemas)[K]>>;

/** Every kind's body in one shape: each field is optional, and only its own kind's schema lets it in. */
export type OperationBody = Readonly<
  z.output<typeof moneyBodySchema> & Partial<z.output<typeof chargeBodySchema>>
>;

/** The Idempotency-Key header's value; a 400 when it is missing or not of the accepted shape. */
export function readIdempotencyKey(value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new MalformedRequestError(
      'missing_idempotency_key',
      `Header ${idempotencyKeyHeader} is required: a key of your own for this one request (such as a UUID), sent again unchanged when you retry it.`,
    );
  }
  if (!idempotencyKeyPattern.test(value)) {
    throw new MalformedRequestError(
      'invalid_idempotency_key',
      `Header ${idempotencyKeyHeader} must be 1 to 200 letters (A-Z, a-z), digits, -, _, : or ., such as 7b0e8a52-capture-1.`,
    );
  }
  return value;
}

/** Reads the body of a `kind` request: empty means `{}`; a 400 names the bad field. */
export function parseOperationBody(kind: OperationKind, bytes: Uint8Array): OperationBody {
  const text = decodeUtf8(bytes).trim();
  let input: unknown = {};
  if (text !== '') {
    try {
      input = JSON.parse(text);
    } catch (cause) {
      throw new MalformedRequestError('invalid_json', 'The request body is not valid JSON.', { cause });
    }
  }
  const schema = bodySchemas[kind];
  const parsed = schema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw new MalformedRequestError(...describeIssue(parsed.error, schema));
  return parsed.data;
}

/** sha256 (hex) of the operation and its body, keys sorted: the same request always has the same one. */
export function fingerprintOf(kind: OperationKind, body: OperationBody): string {
  return createHash('sha256').update(canonical({ kind, body })).digest('hex');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
