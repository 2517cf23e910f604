import type * as z from 'zod/mini';

/**
 * Turns the first zod issue into an error code and a message that names the field and the problem.
 * Our schemas give their checks messages; the issue code words the rest (zod/mini's own messages
 * are a bare "Invalid input").
 */
export function describeIssue(error: z.core.$ZodError, prefix = 'Field'): [code: string, message: string] {
  return issueMessage(error.issues[0], prefix);
}

/** One issue as an error code and a message naming the field (`prefix` then the path). */
export function issueMessage(
  issue: z.core.$ZodIssue | undefined,
  prefix: string,
): [code: string, message: string] {
  const path = issue?.path.join('.');
  const subject = [prefix, path].filter(Boolean).join(' ');
  /** `subject` then `text`, without a leading space when the issue is about the whole input. */
  const say = (text: string) => `${[subject, text].filter(Boolean).join(' ')}.`;
  switch (issue?.code) {
    case 'invalid_type':
      if (issue.input === undefined) return ['missing_field', say('is required')];
      if (Array.isArray(issue.input)) return ['invalid_field', say('must appear only once')];
      return ['invalid_field', say(`has the wrong type (expected ${issue.expected})`)];
    case 'unrecognized_keys':
      return [
        'invalid_field',
        `${path ? `${subject} has` : 'Unrecognized'} ${issue.keys.length > 1 ? 'keys' : 'key'}: ${issue.keys.join(', ')}.`,
      ];
    case 'invalid_value':
      return [
        'invalid_field',
        say(`must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`),
      ];
    case 'invalid_format':
      return [
        'invalid_field',
        `${subject} must be ${issue.format === 'email' ? 'an e-mail address' : `a valid ${issue.format}`}.`,
      ];
    case 'invalid_union':
      return ['invalid_field', say('is not any of the accepted forms')];
    default:
      return [
        'invalid_field',
        say(issue?.message && issue.message !== 'Invalid input' ? issue.message : 'is invalid'),
      ];
  }
}
