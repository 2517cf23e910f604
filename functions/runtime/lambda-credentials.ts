/**
 * What the functions' bundles use instead of `@aws-sdk/credential-provider-node` (infra/bundling.ts
 * aliases it here). Lambda always hands a function its role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the SDK's default chain (SSO,
 * web identity, ini files, login, process, instance metadata) is dead weight there: about 100 KB of
 * bundle and its start-up code in every cold start. Outside Lambda (tests, the local stack's in-process
 * mode) the real chain still applies: only bundles are aliased.
 */
import { ENV_KEY, ENV_SECRET, fromEnv } from '@aws-sdk/credential-provider-env';

/** The environment holds no credentials: a bundle run somewhere Lambda does not put them. */
export class LambdaCredentialsMissing extends Error {
  override name = 'LambdaCredentialsMissing';
}

type Credentials = Awaited<ReturnType<ReturnType<typeof fromEnv>>>;

/** What a client calls for its credentials; `forceRefresh` reads the environment again. */
export type CredentialProvider = (options?: { readonly forceRefresh?: boolean }) => Promise<Credentials>;

/**
 * Same name and contract as `@aws-sdk/credential-provider-node`'s `defaultProvider` (the SDK calls it
 * once per client with the client's config): the environment's key, secret and session token. The
 * answer is kept, as the default chain keeps its own, because the SDK does not memoize what this
 * returns and asks before every request; Lambda's variables do not change within a sandbox.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]): CredentialProvider => {
  let held: Promise<Credentials> | undefined;
  const read = fromEnv(init);
  return (options) => {
    if (held === undefined || options?.forceRefresh === true) {
      const missing = [ENV_KEY, ENV_SECRET].filter((name) => !process.env[name]);
      if (missing.length > 0) {
        return Promise.reject(
          new LambdaCredentialsMissing(
            `${missing.join(' and ')} not set: this bundle reads AWS credentials from the environment only, ` +
              'as Lambda provides them (infra/bundling.ts replaces the SDK default credential chain)',
          ),
        );
      }
      held = read();
    }
    return held;
  };
};
