/**
 * `npm run doctor`: the pre-flight before a deploy. Checks credentials, region, bootstrap, the Lambda
 * concurrency quota, the secrets' placeholders and the alarm e-mail; one line each; exit 1 when
 * something a deploy or a payment needs is missing.
 */
import { DEFAULT_STACK_PREFIX } from '../infra/payments-app';
import { DEFAULT_SETTINGS_FILE, readSettingsFile } from '../infra/settings-file';
import { awsAccount } from './doctor/aws';
import { exitCodeOf, formatLine, runChecks } from './doctor/checks';
import { regionSource } from './doctor/region';

// Off an EC2 host the SDK would otherwise wait on the instance metadata service before saying "no credentials".
process.env.AWS_EC2_METADATA_DISABLED = 'true';

/** The stack prefix as synth picks it: STACK_PREFIX, then the settings file, then the default. */
function stackPrefix(): string {
  if (process.env.STACK_PREFIX) return process.env.STACK_PREFIX;
  try {
    const prefix = readSettingsFile(DEFAULT_SETTINGS_FILE).stackPrefix;
    if (typeof prefix === 'string' && prefix !== '') return prefix;
  } catch {
    // No settings file: synth will say so; the default prefix here.
  }
  return DEFAULT_STACK_PREFIX;
}

const region = regionSource(process.env);
// STS answers in any region: without one, us-east-1 still tells whether the credentials work.
const lines = await runChecks(awsAccount(region.region ?? 'us-east-1'), region, stackPrefix());
for (const line of lines) console.log(formatLine(line));
process.exitCode = exitCodeOf(lines);
