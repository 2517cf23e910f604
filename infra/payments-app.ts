import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ApiStack } from './api-stack';
import { StatefulStack } from './stateful-stack';

/** Stack names start with this unless the context `stackPrefix` or the variable `STACK_PREFIX` says otherwise. */
export const DEFAULT_STACK_PREFIX = 'AltaPay';

const stringContext = (app: App, key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
};

export interface PaymentsApp {
  readonly stateful: StatefulStack;
  readonly api: ApiStack;
}

/**
 * Adds the payments stacks and the cdk-nag rule packs to `app`. `infra/app.ts` (the CDK CLI's entry)
 * and the CDK tests both build the app through this, so the tests check what `cdk synth` produces.
 *
 * The prefix lets several copies live in one account (`cdk synth -c stackPrefix=AltaPayTest`).
 */
export function addPaymentsStacks(app: App): PaymentsApp {
  // Every finding, warnings included, fails synth; acknowledgements sit beside the construct they excuse.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );

  const prefix = stringContext(app, 'stackPrefix') ?? process.env.STACK_PREFIX ?? DEFAULT_STACK_PREFIX;
  // Environment-agnostic unless pinned (`-c account=... -c region=...`): the templates then do not depend
  // on whichever AWS profile the machine running synth happens to have.
  const env = { account: stringContext(app, 'account'), region: stringContext(app, 'region') };

  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    env,
    description: 'AltaPay payments: table and work queues (data; retained)',
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    description: 'AltaPay payments: functions and REST API (stateless)',
    table: stateful.table,
    workQueue: stateful.workQueue,
  });
  return { stateful, api };
}
