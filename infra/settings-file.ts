import { readFileSync } from 'node:fs';
import type { App } from 'aws-cdk-lib';

/**
 * The deployment's settings, committed beside the code, so a deploy without flags deploys the same thing
 * as the last one. A file of its own rather than `cdk.json`'s `context`: the CLI merges `cdk.json`, the
 * cached `cdk.context.json` and every `-c` into one context, so the app could not tell a one-off `-c`
 * from the merchant's settings, nor print which it used; and `cdk.json` also holds the CLI's own keys.
 */
export const DEFAULT_SETTINGS_FILE = 'deploy-settings.json';

/** The context key naming another settings file (`-c settingsFile=deploy-settings.test.json`). */
export const SETTINGS_FILE_CONTEXT = 'settingsFile';

/** Keys starting with `$` (`"$comment"`) are notes for people; JSON has no comments. */
const isNote = (key: string): boolean => key.startsWith('$');

/** A settings file's settings (notes left out); a missing or malformed file fails synth naming it. */
export function readSettingsFile(path: string): Readonly<Record<string, unknown>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new Error(
      `The settings file ${path} cannot be read: it holds the deployment's settings (README: Deploy, step 2); ` +
        `create it, or name another with -c ${SETTINGS_FILE_CONTEXT}=<file>`,
      { cause },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new Error(`The settings file ${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`The settings file ${path} must hold one JSON object, {"setting": value, ...}`);
  }
  return Object.fromEntries(Object.entries(parsed).filter(([key]) => !isNote(key)));
}

/** What a synth took from the settings file and what `-c` overrode, for `describeSettings`. */
export interface AppliedSettings {
  readonly path: string;
  readonly fromFile: Readonly<Record<string, unknown>>;
  /** The context set before the file was applied (`-c`, `cdk.json`): it wins over the file. */
  readonly given: Readonly<Record<string, unknown>>;
}

/**
 * Puts the settings file under the app's context, beneath whatever the CLI already set: `-c key=value`
 * still overrides the file for a one-off. Call before any construct is added to `app`.
 */
export function applySettingsFile(app: App): AppliedSettings {
  const named: unknown = app.node.tryGetContext(SETTINGS_FILE_CONTEXT);
  const path = typeof named === 'string' && named !== '' ? named : DEFAULT_SETTINGS_FILE;
  const fromFile = readSettingsFile(path);
  const given: Record<string, unknown> = app.node.getAllContext();
  for (const [key, value] of Object.entries(fromFile)) {
    if (given[key] === undefined) app.node.setContext(key, value);
  }
  return { path, fromFile, given };
}

/**
 * Fails on a setting in the file that the app never read (a typo would otherwise be ignored silently),
 * naming the settings it knows. `known`: the context keys the app read while building its stacks.
 */
export function checkSettingsKnown(applied: AppliedSettings, known: ReadonlySet<string>): void {
  const unknown = Object.keys(applied.fromFile).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new Error(
      `The settings file ${applied.path} sets ${unknown.join(', ')}, which the app does not read; ` +
        `it knows ${[...known].sort().join(', ')}`,
    );
  }
}

/**
 * One or two lines for the person running synth: which file, which settings, and which the command line
 * overrode (`known`: the settings the app read; context the app does not read, like the CLI's own, is left out).
 */
export function describeSettings(applied: AppliedSettings, known: ReadonlySet<string>): string {
  const cliContext = applied.given;
  const fileKeys = Object.keys(applied.fromFile);
  const lines = [
    `Deployment settings from ${applied.path}: ${fileKeys.length === 0 ? 'none' : fileKeys.join(', ')}`,
  ];
  const overrides = Object.keys(cliContext)
    .filter((key) => known.has(key))
    .sort()
    .map(
      (key) =>
        `${key}=${JSON.stringify(cliContext[key])}${key in applied.fromFile ? ` (file: ${JSON.stringify(applied.fromFile[key])})` : ''}`,
    );
  lines.push(
    overrides.length === 0 ? 'Overridden by -c: nothing' : `Overridden by -c: ${overrides.join(', ')}`,
  );
  return lines.join('\n');
}
