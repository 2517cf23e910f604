/**
 * `npm run payments -- <command>`: the operators' tool. Looks at payments, their callbacks and work,
 * and puts parked or lost work back on its way, on the local stack (`npm start`) or a deployed one.
 * This file parses the arguments, picks the target, runs one command and turns any failure into one
 * line and exit code 1; the commands live in scripts/payments/.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { Command, CommandOptions } from './payments/command';
import { dlqListCommand, dlqRedriveCommand } from './payments/dlq';
import { explain, UsageError } from './payments/errors';
import { listCommand } from './payments/list';
import { captureCommand, chargeCommand, refundCommand, releaseCommand } from './payments/operate';
import { reconcileCommand } from './payments/reconcile';
import { resendCommand } from './payments/resend';
import { showCommand } from './payments/show';
import { resolveTarget, type Target } from './payments/target';
import { watchCommand } from './payments/watch';

const commands: readonly Command[] = [
  listCommand,
  showCommand,
  watchCommand,
  dlqListCommand,
  dlqRedriveCommand,
  resendCommand,
  captureCommand,
  refundCommand,
  releaseCommand,
  chargeCommand,
  reconcileCommand,
];

/** Every option of every command, so one strict parse catches a misspelt one anywhere. */
const optionConfig = {
  stack: { type: 'string' },
  table: { type: 'string' },
  queue: { type: 'string' },
  dlq: { type: 'string' },
  region: { type: 'string' },
  api: { type: 'string' },
  // Hidden: emulators on these endpoints, for tests (the local stack is otherwise found by its state file).
  'endpoint-dynamodb': { type: 'string' },
  'endpoint-sqs': { type: 'string' },
  json: { type: 'boolean' },
  status: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
  interval: { type: 'string' },
  once: { type: 'boolean' },
  for: { type: 'string' },
  id: { type: 'string', multiple: true },
  all: { type: 'boolean' },
  amount: { type: 'string' },
  key: { type: 'string' },
  transaction: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  reserve: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The options every command accepts: where to work. */
const whereOptions = new Set([
  'stack',
  'table',
  'queue',
  'dlq',
  'region',
  'api',
  'endpoint-dynamodb',
  'endpoint-sqs',
  'help',
]);

const usage = `Usage: npm run payments -- <command> [options]

Looks at payments, their callbacks and the worker's records, and puts parked or lost work back on its
way, and captures, refunds or releases an order's money through the payments API. Works on the local
stack (npm start) unless told where the deployed one is.

Commands:
${commands.map((c) => `  ${c.name.padEnd(13)} ${c.summary}`).join('\n')}

Where (default: the local stack that npm start runs):
  --stack <prefix>   a deployed copy, e.g. AltaPay (its table and queues are found by name)
  --table <name>     the payments table (PaymentsTableName); takes precedence over --stack
  --queue <url>      the work queue's URL (dlq redrive, resend)
  --dlq <url>        the dead-letter queue's URL (dlq list, dlq redrive)
  --region <region>  default: AWS_REGION or your profile's
  --api <url>        the payments API (ApiUrl output; capture, refund, release), signed with SigV4
  AWS credentials come from the usual chain: AWS_PROFILE, the environment, SSO, an instance role.

  --json             machine-readable output (list, show, dlq list; watch: one object per line)
  -h, --help         this text; npm run payments -- <command> --help for a command's

Examples:
  npm run payments -- list --status reserved --since 1h
  npm run payments -- show 1001
  npm run payments -- capture 1001 --amount 100.00
  npm run payments -- reconcile 1001
  npm run payments -- dlq list --stack AltaPay --region eu-west-1`;

async function main(argv: readonly string[], signal: AbortSignal): Promise<number> {
  let target: Target | undefined;
  try {
    const { values, positionals, tokens } = parseArgs({
      args: [...argv],
      options: optionConfig,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
    if (positionals[0] === 'help') {
      write(process.stdout, findCommand(positionals.slice(1)).command?.usage ?? usage);
      return 0;
    }
    const { command, args } = findCommand(positionals);
    if (command === undefined) {
      if (values.help) {
        write(process.stdout, usage);
        return 0;
      }
      throw new UsageError(
        positionals.length === 0 ? 'missing command' : `unknown command '${positionals.join(' ')}'`,
      );
    }
    if (values.help) {
      write(process.stdout, command.usage);
      return 0;
    }
    const accepted = new Set<string>([...whereOptions, ...command.options]);
    for (const token of tokens) {
      if (token.kind === 'option' && !accepted.has(token.name)) {
        throw new UsageError(`option --${token.name} does not apply to ${command.name}`, command.name);
      }
    }
    const options: CommandOptions = {
      json: values.json ?? false,
      once: values.once ?? false,
      all: values.all ?? false,
      yes: values.yes ?? false,
      reserve: values.reserve ?? false,
      id: values.id ?? [],
      ...defined({
        status: values.status,
        since: values.since,
        limit: values.limit,
        interval: values.interval,
        for: values.for,
        amount: values.amount,
        key: values.key,
        transaction: values.transaction,
      }),
    };
    target = resolveTarget(
      defined({
        stack: values.stack,
        table: values.table,
        queue: values.queue,
        dlq: values.dlq,
        region: values.region,
        api: values.api,
        endpointDynamodb: values['endpoint-dynamodb'],
        endpointSqs: values['endpoint-sqs'],
      }),
    );
    return await command.run({
      target,
      options,
      args,
      out: (line) => write(process.stdout, line),
      note: (line) => write(process.stderr, line),
      signal,
      now: () => new Date(),
      ...(process.stdin.isTTY && process.stderr.isTTY ? { confirm: askOnTerminal } : {}),
    });
  } catch (error) {
    // parseArgs appends advice about '--' that does not apply here.
    write(process.stderr, `payments: ${explain(error, target).split('. To specify a positional')[0]}`);
    if (error instanceof UsageError || isParseArgsError(error)) {
      const command =
        error instanceof UsageError ? commands.find((c) => c.name === error.command) : undefined;
      write(process.stderr, `\n${command?.usage ?? usage}`);
    }
    return 1;
  } finally {
    target?.close();
  }
}

/** The command named by the first one or two positionals (`dlq list`), and the arguments after it. */
function findCommand(positionals: readonly string[]): { command?: Command; args: readonly string[] } {
  for (const words of [2, 1]) {
    const name = positionals.slice(0, words).join(' ');
    const command = commands.find((c) => c.name === name);
    if (command) return { command, args: positionals.slice(words) };
  }
  // `dlq` alone: its subcommands' usage.
  if (positionals[0] === 'dlq') throw new UsageError(`dlq needs a subcommand: list or redrive`, 'dlq list');
  return { args: [] };
}

/** parseArgs' own errors (an unknown option, a missing value) are usage errors too. */
function isParseArgsError(error: unknown): boolean {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

function defined<T extends Record<string, unknown>>(
  record: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** A y/N question on the terminal; anything but y or yes is no. */
async function askOnTerminal(question: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await terminal.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    terminal.close();
  }
}

function write(stream: NodeJS.WriteStream, line: string): void {
  stream.write(`${line}\n`);
}

// `payments list | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
});

const controller = new AbortController();
// Once: a second Ctrl-C gets Node's default (exit at once) in case something hangs.
process.once('SIGINT', () => controller.abort());
process.exitCode = await main(process.argv.slice(2), controller.signal);
