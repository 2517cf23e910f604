import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RegionSource } from './checks';

/** The region in `[profile <name>]` (or `[default]`) of an AWS config file's text; a plain INI reader. */
export function profileRegion(configText: string, profile: string): string | undefined {
  const header =
    profile === 'default'
      ? /^\[\s*(default|profile\s+default)\s*\]$/
      : new RegExp(`^\\[\\s*profile\\s+${profile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\]$`);
  let inside = false;
  for (const raw of configText.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) inside = header.test(line);
    else if (inside) {
      const match = /^region\s*=\s*(\S+)/.exec(line);
      if (match?.[1] !== undefined) return match[1];
    }
  }
  return undefined;
}

/** The region a deploy would use and where it comes from: the variables first, then the profile's config. */
export function regionSource(env: NodeJS.ProcessEnv): RegionSource {
  if (env.AWS_REGION) return { region: env.AWS_REGION, from: 'AWS_REGION' };
  if (env.AWS_DEFAULT_REGION) return { region: env.AWS_DEFAULT_REGION, from: 'AWS_DEFAULT_REGION' };
  const profile = env.AWS_PROFILE || 'default';
  const file = env.AWS_CONFIG_FILE || join(env.HOME || homedir(), '.aws', 'config');
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // No config file: no region from a profile.
  }
  const region = profileRegion(text, profile);
  return region === undefined ? { region: undefined, profile } : { region, from: `profile ${profile}` };
}
