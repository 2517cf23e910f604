/**
 * `gateway`: runs only the AltaPay gateway simulator (local/altapay-simulator), for a merchant who tests
 * another integration (a PHP or Python shop, say) against it; prints where everything is and the SDK
 * settings that point at it, logs each request and callback, and stops cleanly on SIGINT or SIGTERM.
 */
import { type GatewaySimulator, startGatewaySimulator } from '../../local/altapay-simulator/index';
import { localGatewayCredentials } from '../../local/gateway-credentials';
import { UsageError } from './usage-error';

/** npm start holds 3000 (API), 3001 (its own simulator) and 3002 (merchant): this one runs beside them. */
export const defaultGatewayPort = 3003;
export const defaultTerminal = 'AltaPay Test Terminal';

export interface GatewayCommandOptions {
  readonly port: string | undefined;
  readonly host: string | undefined;
  readonly terminal: readonly string[] | undefined;
  readonly secret: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly notificationDelay: string | undefined;
}

/** Past this, a stop still waiting (a callback in flight) gives up and exits anyway. */
const stopDeadlineMs = 5_000;

/** Starts the simulator and resolves with the exit code once a signal stopped it. */
export async function runGateway(options: GatewayCommandOptions): Promise<number> {
  const settings = readSettings(options);
  let simulator: GatewaySimulator;
  try {
    simulator = await startGatewaySimulator({
      port: settings.port,
      host: settings.host,
      credentials: settings.credentials,
      terminals: settings.terminals,
      ...(settings.secret === undefined ? {} : { callbackSecret: settings.secret }),
      notificationDelayMs: settings.notificationDelayMs,
      log: (line) => console.log(`${new Date().toISOString().slice(11, 19)}  ${line}`),
    });
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
      throw new UsageError(
        `port ${settings.port} on ${settings.host} is in use by another process: pick another with --port (0 picks a free one)`,
      );
    }
    throw error;
  }
  console.log(banner(simulator, settings));
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      console.log(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping...`);
      setTimeout(() => {
        console.error(`Still stopping after ${stopDeadlineMs / 1000} s: exiting anyway.`);
        process.exit(1);
      }, stopDeadlineMs).unref();
      simulator.stop().then(() => {
        console.log('Stopped.');
        resolve(0);
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

interface GatewaySettings {
  readonly port: number;
  readonly host: string;
  readonly terminals: readonly string[];
  readonly secret: string | undefined;
  readonly credentials: { readonly username: string; readonly password: string };
  readonly notificationDelayMs: number;
}

function readSettings(options: GatewayCommandOptions): GatewaySettings {
  const portText = options.port ?? String(defaultGatewayPort);
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65_535) {
    throw new UsageError(
      `--port must be a port number from 0 to 65535 (0 picks a free one), not '${portText}'`,
    );
  }
  const host = options.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError('--host must be an address to listen on, such as 127.0.0.1');
  const terminals = options.terminal ?? [defaultTerminal];
  if (terminals.some((t) => t.trim() === '')) {
    throw new UsageError(
      `--terminal must name a terminal, such as --terminal '${defaultTerminal}'; it was empty`,
    );
  }
  if (options.secret !== undefined && options.secret === '') {
    throw new UsageError('--secret must not be empty: leave it out for unsigned callbacks');
  }
  const { username, password } = options;
  if ((username === undefined) !== (password === undefined)) {
    throw new UsageError(
      '--username and --password go together: give both, or neither for the local API user',
    );
  }
  if (username !== undefined && (username === '' || username.includes(':'))) {
    throw new UsageError(
      `--username must be a non-empty name without ':' (HTTP Basic auth), not '${username}'`,
    );
  }
  if (password === '') throw new UsageError('--password must not be empty');
  const delayText = options.notificationDelay ?? '5';
  const delay = Number(delayText);
  if (!/^\d+(\.\d+)?$/.test(delayText) || delay > 3600) {
    throw new UsageError(
      `--notification-delay must be a number of seconds from 0 to 3600, such as 5 or 0.5, not '${delayText}'`,
    );
  }
  return {
    port,
    host,
    terminals,
    secret: options.secret ?? (process.env.ALTAPAY_CALLBACK_SECRET || undefined),
    credentials:
      username !== undefined && password !== undefined ? { username, password } : localGatewayCredentials,
    notificationDelayMs: Math.round(delay * 1000),
  };
}

function banner(simulator: GatewaySimulator, settings: GatewaySettings): string {
  const url = simulator.url;
  const { username, password } = settings.credentials;
  const php = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const python = php;
  const everywhere = settings.host === '0.0.0.0' || settings.host === '::';
  return [
    '',
    'AltaPay gateway simulator is running',
    '',
    `Gateway       ${url}`,
    `Merchant API  ${url}/merchant/API/<method>  (HTTP Basic: user '${username}', password '${password}')`,
    `Terminals     ${settings.terminals.map((t) => `'${t}'`).join(', ')}`,
    `Callbacks     ${settings.secret === undefined ? 'unsigned (no --secret)' : 'signed with the --secret (checksum field)'}; open payments conclude after ${settings.notificationDelayMs / 1000} s`,
    `Payment page  ${url}/eCommerce/API/requestForm?pid=<PaymentRequestId>  (recent requests at ${url}/)`,
    `Control API   ${url}/control/orders/<shop_orderid>[/pay|decline|refund|chargeback]  (no auth${everywhere ? ': OPEN to anyone who reaches this port' : ', on this machine only'})`,
    '',
    'Point an integration at it',
    `  sdk-php     $api = new AltapayMerchantAPI(${php(url)}, ${php(username)}, ${php(password)}); $api->login();`,
    `  api-php     $auth = new \\Altapay\\Authentication(${php(username)}, ${php(password)}, ${php(url)});`,
    `  sdk-python  api = API(mode='test', url=${python(`${url}/merchant/`)}, account=${python(username)}, password=${python(password)})`,
    '',
    `Act on a payment  npm run altapay -- trigger pay|decline|refund|chargeback --order <shop_orderid> --gateway ${url}`,
    'Ctrl-C to stop.',
    '',
  ].join('\n');
}
