/** A failure the operator can act on: printed as one line, exit code 1, no stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** A mistake in how the CLI was called: printed with the command's usage. */
export class UsageError extends CliError {
  constructor(
    message: string,
    /** The command whose usage to print; undefined for the general usage. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** Said whenever the local stack cannot be reached: the one thing to do about it. */
export const localStackNotRunning = 'The local stack is not running: start it with npm start';

/** Where the CLI was pointed, for error messages. */
export interface Whereabouts {
  readonly local: boolean;
  readonly description: string;
}

/**
 * One line for any error: ours as they are, the AWS SDK's turned into what to do about them
 * (credentials, region, permissions, a wrong name), anything else as its message.
 */
export function explain(error: unknown, where: Whereabouts | undefined): string {
  if (error instanceof CliError) return error.message;
  const name = error instanceof Error ? error.name : '';
  const message = oneLine(error instanceof Error ? error.message : String(error));
  // parseArgs' own errors are TypeErrors whose message says it all.
  if (codeOf(error).startsWith('ERR_PARSE_ARGS')) return message;
  if (isConnectionRefused(error) && where?.local) return localStackNotRunning;
  if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET)$/.test(codeOf(error))) {
    return `Cannot reach ${where?.local ? 'the emulators' : 'AWS'} (${where?.description ?? 'unknown target'}): ${message}`;
  }
  if (name === 'CredentialsProviderError') {
    return 'No AWS credentials: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run aws sso login; without --stack or --table the CLI uses the local stack';
  }
  if (/region is missing/i.test(message)) return 'No AWS region: pass --region or set AWS_REGION';
  if (/^Expired(Token|TokenException)$/.test(name)) {
    return 'Your AWS credentials have expired: refresh them (aws sso login) and try again';
  }
  if (/^(UnrecognizedClientException|InvalidClientTokenId|InvalidSignatureException)$/.test(name)) {
    return `AWS does not accept these credentials (${name}): check AWS_PROFILE or the access key`;
  }
  if (/^(AccessDenied|AccessDeniedException)$/.test(name)) {
    return `Access denied on ${where?.description ?? 'AWS'}: ${message}`;
  }
  if (name === 'ResourceNotFoundException') {
    return `The payments table was not found (${where?.description ?? 'unknown target'}): check --table, --stack and --region`;
  }
  if (name === 'QueueDoesNotExist' || /NonExistentQueue/.test(name)) {
    return `The queue does not exist (${where?.description ?? 'unknown target'}): check --queue, --dlq, --stack and --region`;
  }
  return name !== '' && name !== 'Error' ? `${name}: ${message}` : message;
}

function codeOf(error: unknown): string {
  return error instanceof Error && 'code' in error ? String(error.code) : '';
}

function isConnectionRefused(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (codeOf(error) === 'ECONNREFUSED') return true;
  // Node's happy-eyeballs connect reports every address it tried.
  if (error instanceof AggregateError) return error.errors.some(isConnectionRefused);
  return error.cause !== undefined && isConnectionRefused(error.cause);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
