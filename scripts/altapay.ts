/**
 * `npm run altapay -- <command>`: tools that play the AltaPay gateway's part.
 *   trigger  posts a callback to any URL, or acts through the gateway simulator on a payment it knows
 *   gateway  runs only the gateway simulator, for testing another integration against it
 * One file per command under scripts/altapay/.
 */
import { parseArgs } from 'node:util';
import { defaultGatewayPort, defaultTerminal, runGateway } from './altapay/gateway';
import { callbackTriggers, triggerCallback } from './altapay/trigger-callback';
import { defaultGatewayUrl, gatewayTriggers, triggerThroughGateway } from './altapay/trigger-gateway';
import { UsageError } from './altapay/usage-error';

const usage = `Usage:
  npm run altapay -- trigger <pay|decline|refund|chargeback> --order <id> [--gateway <url>] [--amount <amount>]
  npm run altapay -- trigger <ok|fail|open|notification> --url <callback url> --order <id> [options]
  npm run altapay -- gateway [--port <n>] [--terminal <name>]... [--secret <s>] [options]

trigger, through the gateway simulator (use this against npm start or npm run altapay -- gateway):
The simulator acts on the order's payment as the customer or the gateway would, changes what it
knows, and posts the real callback; a handler that asks the gateway then finds it confirmed.

  pay           the customer pays the order's newest payment request (verify_order, then callback_ok)
  decline       the customer's card is declined on it (callback_fail)
  refund        the gateway refunds captured money (callback_notification, the transaction refunded)
  chargeback    the cardholder's bank disputes it (callback_notification, status ChargebackEvent)

  --order <id>          shop_orderid of a payment the simulator knows
  --gateway <url>       the simulator (default: $ALTAPAY_GATEWAY_URL, else ${defaultGatewayUrl}, npm start's)
  --amount <amount>     refund and chargeback: dot-decimal amount (default: all that was captured)

trigger, to any URL (use this for a deployed stack or a handler alone; no simulator involved):
Posts a made-up callback the way the AltaPay gateway does: the form fields, the xml document and,
with a secret, the checksum. The gateway never had this transaction, so a handler that looks it up
(our worker does) finds it unknown.

  ok            a reserved card payment (preauth, Result Success)
  fail          a declined card payment (preauth_error, Result Failed, message for the customer)
  open          a pending invoice payment (invoice_initialized, Result Open)
  notification  the pending payment concluded (preauth, Result Success, a later UpdatedDate)

  --url <url>           where to POST, e.g. http://127.0.0.1:3000/callbacks/ok
  --order <id>          shop_orderid
  --amount <amount>     dot-decimal amount (default 100.00)
  --currency <code>     DKK or 208 (default DKK; posted numeric, as the gateway does)
  --secret <secret>     the terminal's shared secret (default: $ALTAPAY_CALLBACK_SECRET); signs the callback
  --transaction <id>    the gateway's transaction id (default: a random number)
  --status <status>     report this TransactionStatus instead of the type's own (e.g. captured)

trigger prints what happened and the shop's answer; it exits 0 when the shop answered 2xx or 3xx
(or was not called), 1 otherwise.

gateway: runs only the AltaPay gateway simulator until Ctrl-C (SIGINT) or SIGTERM, and prints its
Merchant API, payment page and control API, and the settings for AltaPay's PHP and Python SDKs.

  --port <n>                  where it listens (default ${defaultGatewayPort}; 0 picks a free port)
  --host <address>            default 127.0.0.1; the control API has no auth, so think before 0.0.0.0
  --terminal <name>           a terminal createPaymentRequest accepts; repeat for more (default '${defaultTerminal}')
  --secret <secret>           the terminal's shared secret: callbacks carry a checksum (default: $ALTAPAY_CALLBACK_SECRET)
  --username <u> --password <p>  the Merchant API's HTTP Basic login (default shop-api / local-password)
  --notification-delay <s>    seconds before an open payment concludes (default 5)

  -h, --help            this text`;

const options = {
  url: { type: 'string' },
  order: { type: 'string' },
  amount: { type: 'string' },
  currency: { type: 'string' },
  secret: { type: 'string' },
  transaction: { type: 'string' },
  status: { type: 'string' },
  gateway: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  terminal: { type: 'string', multiple: true },
  username: { type: 'string' },
  password: { type: 'string' },
  'notification-delay': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

/** Options that belong to one form only: naming them elsewhere is a mistake worth saying. */
const only: Readonly<Record<string, readonly (keyof Values)[]>> = {
  'trigger through the simulator': ['order', 'gateway', 'amount'],
  'trigger --url': ['url', 'order', 'amount', 'currency', 'secret', 'transaction', 'status'],
  gateway: ['port', 'host', 'terminal', 'secret', 'username', 'password', 'notification-delay'],
};

function refuseOthers(values: Values, form: keyof typeof only): void {
  const allowed = new Set<string>([...(only[form] ?? []), 'help']);
  const stray = Object.keys(values).find((name) => !allowed.has(name));
  if (stray !== undefined) throw new UsageError(`--${stray} does not apply to ${form} (try --help)`);
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (command === 'gateway') {
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    refuseOthers(values, 'gateway');
    return runGateway({
      port: values.port,
      host: values.host,
      terminal: values.terminal,
      secret: values.secret,
      username: values.username,
      password: values.password,
      notificationDelay: values['notification-delay'],
    });
  }
  if (command !== 'trigger') {
    throw new UsageError(
      command === undefined ? 'missing command (try --help)' : `unknown command '${command}' (try --help)`,
    );
  }
  const [type, ...extra] = rest;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (type !== undefined && values.url === undefined && gatewayTriggers.includes(type)) {
    refuseOthers(values, 'trigger through the simulator');
    return triggerThroughGateway(type, {
      order: values.order,
      gateway: values.gateway,
      amount: values.amount,
    });
  }
  if (type === undefined || callbackTriggers[type] === undefined) {
    const through = gatewayTriggers.includes(type ?? '')
      ? ` (${type} acts through the simulator: drop --url)`
      : `, or ${gatewayTriggers.join(', ')} through the simulator`;
    throw new UsageError(
      `${type === undefined ? 'missing callback type' : `unknown callback type '${type}'`}: use ok, fail, open or notification with --url${through}`,
    );
  }
  if (values.url === undefined) {
    throw new UsageError(
      `--url is required for '${type}' (or use pay, decline, refund or chargeback through the simulator)`,
    );
  }
  refuseOthers(values, 'trigger --url');
  return triggerCallback(type, {
    url: values.url,
    order: values.order,
    amount: values.amount,
    currency: values.currency,
    secret: values.secret,
    transaction: values.transaction,
    status: values.status,
  });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // UsageErrors and parseArgs' own errors (unknown or malformed options) alike: one line, no stack.
  const message = error instanceof Error ? error.message : String(error);
  // parseArgs appends advice about '--' that does not apply here.
  console.error(`altapay: ${message.split('. To specify a positional')[0]?.replace(/\s*\n\s*/g, ' ')}`);
  process.exitCode = 1;
}
