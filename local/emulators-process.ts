/**
 * The emulators in a Node process of their own. On AWS, DynamoDB and SQS do not run on the Lambda's
 * CPU; in one process with the handlers they would, and the handlers' event loop would also carry
 * the emulators' work. The benchmark uses this so it charges our code for its waiting only.
 *
 * Run directly, it starts the emulators, prints their endpoints as one JSON line and stops when its
 * standard input closes (so it never outlives the process that started it).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Emulators, startEmulators } from './emulators';

const entry = fileURLToPath(import.meta.url);

/** Starts dynalite and local-aws-sqs in a child process; `stop()` ends it. */
export async function startEmulatorsInChildProcess(): Promise<Emulators> {
  // tsx, as everywhere locally: the parent may be a test runner with loaders of its own.
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  // A child that cannot start ends the loop below; that is the error reported.
  exited.catch(() => undefined);
  const lines = createInterface({ input: child.stdout });
  let endpoints: { dynamodbEndpoint: string; sqsEndpoint: string } | undefined;
  for await (const line of lines) {
    endpoints = JSON.parse(line) as typeof endpoints;
    break;
  }
  if (endpoints === undefined) throw new Error('The emulators process ended before it started them.');
  let stopped: Promise<void> | undefined;
  return {
    ...endpoints,
    stop() {
      stopped ??= (async () => {
        child.stdin.end();
        await exited;
      })();
      return stopped;
    },
  };
}

if (process.argv[1] === entry) {
  const emulators = await startEmulators();
  process.stdout.write(
    `${JSON.stringify({ dynamodbEndpoint: emulators.dynamodbEndpoint, sqsEndpoint: emulators.sqsEndpoint })}\n`,
  );
  process.stdin.resume();
  process.stdin.on('end', () => {
    emulators.stop().finally(() => process.exit(0));
  });
}
