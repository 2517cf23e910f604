import type * as z from 'zod';

/** Turns the first zod issue into an error code and a message that names the field. */
export function describeIssue(error: z.ZodError, prefix = 'Field'): [code: string, message: string] {
  const issue = error.issues[0];
  const path = issue?.path.join('.');
  const subject = path ? `${prefix} ${path}` : prefix;
  if (issue?.code === 'invalid_type') {
    if (issue.input === undefined) return ['missing_field', `${subject} is required.`];
    if (Array.isArray(issue.input)) return ['invalid_field', `${subject} must appear only once.`];
    return ['invalid_field', `${subject} has the wrong type (expected ${issue.expected}).`];
  }
  return ['invalid_field', `${subject} ${issue?.message ?? 'is invalid'}.`];
}
