import { CrossStackReferences, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import type { LambdaName } from '../functions/routes';
import type { CheckoutRateLimit } from './checkout-rate-limit';
import type { CustomDomain } from './custom-domain';
import type { Operations } from './operations';
import { PaymentsApi, type PaymentsApiProps } from './payments-api';
import type { PaymentsFunction } from './payments-function';

export interface ApiStackProps extends StackProps, PaymentsApiProps {
  /**
   * Keep the stateful stack's old exports for one deploy while this stack switches to weak references
   * (`ReferenceStrength.BOTH`): the one-time step for a copy deployed with strong references.
   */
  readonly keepCrossStackExports: boolean;
}

/** Our own app's stack of `PaymentsApi`, reading the table and queues of the stateful stack. */
export class ApiStack extends Stack {
  readonly payments: PaymentsApi;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    // Weak (Fn::GetStackOutput), not Export/ImportValue: an export in use can never change or go, so a
    // later update that stops using one deadlocks both stacks. The table and queues stay protected by
    // their retain policies and the table's deletion protection (docs/design.md). Must be set before any
    // child construct exists.
    CrossStackReferences.of(this).consume(
      props.keepCrossStackExports ? ReferenceStrength.BOTH : ReferenceStrength.WEAK,
    );
    // Id `Default`: CDK leaves it out of logical IDs, so every resource keeps the ID it had as the
    // stack's own child.
    this.payments = new PaymentsApi(this, 'Default', props);
  }

  get api(): RestApi {
    return this.payments.api;
  }

  get functions(): Readonly<Record<LambdaName, PaymentsFunction>> {
    return this.payments.functions;
  }

  get operations(): Operations {
    return this.payments.operations;
  }

  get customDomain(): CustomDomain | undefined {
    return this.payments.customDomain;
  }

  get checkoutRateLimit(): CheckoutRateLimit | undefined {
    return this.payments.checkoutRateLimit;
  }
}
