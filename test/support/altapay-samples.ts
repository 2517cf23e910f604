import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, delimiter, join, resolve } from 'node:path';

/**
 * Real documents from AltaPay's own SDK test suites, which the repository does not ship:
 * `ALTAPAY_SAMPLES_DIR` names their folder, or several separated like PATH (`.ci/run` sets both corpora
 * beside the clone). `.xml` files are APIResponse documents; `.json` files are callback POST bodies as
 * flat field maps. Only the optional conformance suites read them.
 */
export const samplesDirs: readonly string[] = (process.env.ALTAPAY_SAMPLES_DIR ?? '')
  .split(delimiter)
  .filter((dir) => dir !== '')
  .map((dir) => resolve(dir));

/** How to run a suite that reads the samples, for the one line a skipped suite prints. */
export const howToRunSamples = 'ALTAPAY_SAMPLES_DIR=/path/to/altapay-samples[:/path/to/more] npm test';

/** One sample file. */
export interface SampleFile {
  /** `folder/file`, so two folders with a file of the same name stay apart in test names. */
  readonly label: string;
  /** The file name alone, as `sdkStubs` names it. */
  readonly name: string;
  readonly text: string;
}

/** A folder's file names; a folder that is not there is a mistake in the variable, said plainly. */
function folderEntries(dir: string): string[] {
  if (!existsSync(dir)) throw new Error(`ALTAPAY_SAMPLES_DIR names ${dir}, which does not exist.`);
  return readdirSync(dir);
}

/** Every sample file ending in `extension`, folder by folder, each folder's files sorted by name. */
export function sampleFiles(extension: '.xml' | '.json'): SampleFile[] {
  return samplesDirs.flatMap((dir) =>
    folderEntries(dir)
      .filter((name) => name.endsWith(extension))
      .sort()
      .map((name) => ({
        label: `${basename(dir)}/${name}`,
        name,
        text: readFileSync(join(dir, name), 'utf8'),
      })),
  );
}

/**
 * Sample files that are SDK test stubs, not anything the gateway sent: the product's parser refuses
 * them on purpose, and the simulator is not compared with them. Keyed by file name, with what the
 * refusal says and why that is right.
 */
export const sdkStubs: Readonly<Record<string, { readonly refusal: RegExp; readonly reason: string }>> = {
  'loevgaard-altapay-php-sdk__tests__Exception__XmlExceptionTest.php__heredoc_1.xml': {
    refusal: /APIResponse must be a JSON object/,
    reason:
      'an empty <APIResponse/> written to test an SDK exception: no Header, so nothing says what happened',
  },
  'sdk-python__tests__xml__200_find_transaction_single.xml': {
    refusal: /ShopOrderId is required/,
    reason:
      'a hand-cut payments answer whose transaction has five elements and no ShopOrderId: a payment must name its order',
  },
  'sdk-python__tests__xml__200_find_transaction_multiple.xml': {
    refusal: /ShopOrderId is required/,
    reason:
      'a hand-cut payments answer whose transactions have no ShopOrderId: a payment must name its order',
  },
};
