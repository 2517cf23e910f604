import * as z from 'zod/mini';

/**
 * Validation messages for people. Each schema field carries one sentence saying what its value must
 * look like (`rule`); the functions below turn any zod issue into "<field> <that sentence>", so a
 * message is written once, beside the field, and never in a validator's words ("Invalid input").
 */

/** The sentences fields are reported with, each starting with "must": `must look like 249.00`. */
const fieldRules = z.registry<{ readonly mustBe: string }>();

/** `schema`, reported with `mustBe` whenever a value fails any of its checks. */
export function rule<T extends z.core.$ZodType>(schema: T, mustBe: string): T {
  fieldRules.add(schema, { mustBe });
  return schema;
}

/** How messages name what they are about. */
export interface Naming {
  /** Put before a field's path: `Field` says "Field amount must…". */
  readonly field: string;
  /** Names the whole input, for an issue about all of it: "The order must…". */
  readonly whole: string;
}

const requestBody: Naming = { field: 'Field', whole: 'The request body' };

/**
 * The first issue of `error` as an error code and a sentence naming the field (see `issueMessage`).
 * Parse with `reportInput: true`: the input is what tells a missing field from a wrong one.
 */
export function describeIssue(
  error: z.core.$ZodError,
  schema: z.core.$ZodType,
  naming: Naming = requestBody,
): [code: 'missing_field' | 'invalid_field', message: string] {
  return issueMessage(error.issues[0], schema, naming);
}

/**
 * One issue found by `schema` as an error code and a sentence: the field's name, then its rule. A
 * check given its own message keeps it; a field without a rule is described from the issue, still in
 * plain words.
 */
export function issueMessage(
  issue: z.core.$ZodIssue | undefined,
  schema: z.core.$ZodType,
  naming: Naming,
): [code: 'missing_field' | 'invalid_field', message: string] {
  const path = issue?.path ?? [];
  const say = (at: readonly PropertyKey[], text: string) =>
    `${[subjectOf(at, naming), text].filter(Boolean).join(' ')}.`;
  const target = schemaAt(schema, path);
  const mustBe = target.rule;
  if (issue === undefined) return ['invalid_field', say(path, mustBe ?? 'is not accepted')];
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) {
        return ['missing_field', say(path, mustBe ? `is required and ${mustBe}` : 'is required')];
      }
      // A repeated form field or XML element arrives as a list of its values.
      if (Array.isArray(issue.input) && issue.expected !== 'array' && path.length > 0) {
        return ['invalid_field', say(path, 'must appear only once (one value, not a list)')];
      }
      break;
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      const known =
        target.fields === undefined ? '' : `; the accepted fields are ${listOf(target.fields, 'and')}`;
      return ['invalid_field', say([...path, key], `is not accepted${known}`)];
    }
    default:
  }
  // A check worded on the spot (a rule across fields) says more than the field's general rule.
  const worded = issue.message === genericMessage ? undefined : issue.message;
  return ['invalid_field', say(path, worded ?? mustBe ?? plainWords(issue))];
}

/** What zod/mini says when nobody worded the issue (it ships no messages). */
const genericMessage = 'Invalid input';

/** "Field orderLines[0].quantity", or the whole input's name for the empty path. */
function subjectOf(path: readonly PropertyKey[], naming: Naming): string {
  if (path.length === 0) return naming.whole;
  const name = path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
  return [naming.field, name].filter(Boolean).join(' ');
}

/** "a, b or c". */
function listOf(values: readonly unknown[], last: 'or' | 'and'): string {
  const words = values.map(String);
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} ${last} ${words.at(-1)}`;
}

/** What a value of each expected kind is, for a field without a rule. */
const typeWords: Readonly<Partial<Record<string, string>>> = {
  string: 'must be text',
  number: 'must be a number',
  boolean: 'must be true or false',
  array: 'must be a list',
  object: 'must be a JSON object',
};

/** What a value of each checked format is, for a field without a rule. */
const formatWords: Readonly<Partial<Record<string, string>>> = {
  email: 'must be an e-mail address such as anna@example.com',
  url: 'must be a URL such as https://shop.example/',
  base64: 'must be base64 text',
};

/** A field without a rule of its own, described from the issue alone. */
function plainWords(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `must be ${listOf(issue.values, 'or')}`;
    case 'invalid_type':
      return typeWords[issue.expected] ?? 'has a value of the wrong kind';
    case 'too_big': {
      const than = issue.origin === 'number' ? 'less than' : 'fewer than';
      return limit(issue.origin, issue.inclusive === false ? than : 'at most', issue.maximum);
    }
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      return limit(issue.origin, issue.inclusive === false ? 'more than' : 'at least', issue.minimum);
    case 'invalid_format':
      return formatWords[issue.format] ?? 'has characters that are not accepted here';
    default:
      return 'is not accepted';
  }
}

/** "must be at most 64 characters", "must hold at most 100 items", "must be more than 0". */
function limit(origin: string, bound: string, value: number | bigint): string {
  const unit = origin === 'string' ? ' characters' : origin === 'array' ? ' items' : '';
  return `must ${origin === 'array' ? 'hold' : 'be'} ${bound} ${value}${unit}`;
}

interface Target {
  /** The rule of the schema at the end of the path. */
  readonly rule?: string;
  /** The field names, when that schema is an object. */
  readonly fields?: readonly string[];
}

/**
 * The schema an issue's path leads to, through the wrappers that do not add a path segment
 * (optional, pipe, default…). Only rules met after the last segment count: a list's rule says
 * nothing about one of its items.
 */
function schemaAt(root: z.core.$ZodType, path: readonly PropertyKey[]): Target {
  let node: z.core.$ZodType | undefined = root;
  let rest = path;
  let mustBe: string | undefined;
  while (node !== undefined) {
    if (rest.length === 0) mustBe ??= fieldRules.get(node)?.mustBe;
    // The casts read each kind's own definition once its `type` says which kind it is.
    const def: z.core.$ZodTypeDef = node._zod.def;
    if ('innerType' in def) {
      node = (def as z.core.$ZodOptionalDef).innerType;
    } else if (def.type === 'pipe') {
      const pipe = def as z.core.$ZodPipeDef;
      // A reader that shapes the raw value first (zod's preprocess) leaves the rules to what follows it.
      node = pipe.in._zod.def.type === 'transform' ? pipe.out : pipe.in;
    } else if (def.type === 'object') {
      const { shape } = def as z.core.$ZodObjectDef;
      if (rest.length === 0)
        return { ...(mustBe === undefined ? {} : { rule: mustBe }), fields: Object.keys(shape) };
      const [key, ...after] = rest;
      node = typeof key === 'string' ? shape[key] : undefined;
      rest = after;
    } else if (def.type === 'array' && rest.length > 0) {
      node = typeof rest[0] === 'number' ? (def as z.core.$ZodArrayDef).element : undefined;
      rest = rest.slice(1);
    } else {
      break;
    }
  }
  return mustBe === undefined ? {} : { rule: mustBe };
}
