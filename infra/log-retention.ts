import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/**
 * How long every log group keeps its events unless `-c logRetentionDays` says otherwise: a year, what PCI
 * DSS 10.5.1 asks of audit logs (12 months, the last 3 at hand).
 */
export const DEFAULT_LOG_RETENTION_DAYS = 365;

/** The retention periods CloudWatch Logs accepts, in days (`RetentionDays` without INFINITE). */
export const allowedLogRetentionDays: readonly number[] = Object.values(RetentionDays)
  .filter((days): days is number => typeof days === 'number' && days !== RetentionDays.INFINITE)
  .sort((a, b) => a - b);

/**
 * `days` as CloudWatch's retention setting; anything CloudWatch would refuse fails synth with the values
 * it accepts, instead of failing the deploy half-way.
 */
export function logRetention(days: number): RetentionDays {
  if (!allowedLogRetentionDays.includes(days)) {
    throw new Error(
      `Context logRetentionDays must be one of CloudWatch's retention periods (${allowedLogRetentionDays.join(', ')}), not ${days}`,
    );
  }
  return days as RetentionDays;
}
