import { App } from 'aws-cdk-lib';
import { addPaymentsStacks, contextKeysRead } from './payments-app';
import { applySettingsFile, checkSettingsKnown, describeSettings } from './settings-file';

/**
 * The CDK CLI's entry (`cdk.json`): the committed settings file (`deploy-settings.json`) under any `-c`,
 * the payments app, and the cloud assembly. Tests build their apps with explicit context instead.
 */
const app = new App();
const applied = applySettingsFile(app);
addPaymentsStacks(app);
checkSettingsKnown(applied, contextKeysRead(app));
// stderr: stdout is the template when synth is not --quiet.
console.error(describeSettings(applied, contextKeysRead(app)));
app.synth();
