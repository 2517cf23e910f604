import { App } from 'aws-cdk-lib';
import { addPaymentsStacks } from './payments-app';

/** The CDK CLI's entry (`cdk.json`): builds the payments app and writes the cloud assembly. */
const app = new App();
addPaymentsStacks(app);
app.synth();
