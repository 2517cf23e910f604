import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, delimiter, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { parseCallbackForm } from '../../shared/altapay/callback-form';
import { checksumMatches } from '../../shared/altapay/checksum';
import { decodeFormBody, encodeFormBody } from '../../shared/altapay/form-body';
import { callbackFields, signed } from '../support/gateway';

/**
 * Conformance with real documents from AltaPay's own SDK test suites, which the repository does not
 * ship: `ALTAPAY_SAMPLES_DIR` names the folder (or several, separated like PATH). Its `.xml` files are
 * APIResponse documents; its `.json` files are callback POST bodies as flat field maps. Without the
 * variable this suite is skipped and the project's own fixtures (test/fixtures/altapay) stand in.
 */
const corpusDirs = (process.env.ALTAPAY_SAMPLES_DIR ?? '')
  .split(delimiter)
  .filter((dir) => dir !== '')
  .map((dir) => resolve(dir));

/** A folder's file names; a folder that is not there is a mistake in the variable, said plainly. */
function folderEntries(dir: string): string[] {
  if (!existsSync(dir)) throw new Error(`ALTAPAY_SAMPLES_DIR names ${dir}, which does not exist.`);
  return readdirSync(dir);
}

interface CorpusFile {
  /** `folder/file`, so two folders with a file of the same name stay apart in test names. */
  label: string;
  text: string;
}

function corpusFiles(extension: string): CorpusFile[] {
  return corpusDirs.flatMap((dir) =>
    folderEntries(dir)
      .filter((name) => name.endsWith(extension))
      .sort()
      .map((name) => ({ label: `${basename(dir)}/${name}`, text: readFileSync(join(dir, name), 'utf8') })),
  );
}

const howToRun = 'ALTAPAY_SAMPLES_DIR=/path/to/altapay-samples npm test';

if (corpusDirs.length === 0) {
  // The reporter shows a skipped suite only as a count: say once, in one line, how to run it. The
  // skipped suite stays because vitest fails a test file that declares no test at all.
  console.info(`Real AltaPay corpus skipped: run it with ${howToRun}`);
  describe.skip(`the real AltaPay corpus (not configured; to run it: ${howToRun})`, () => {
    it('reads every real document', () => {});
  });
} else {
  const documents = corpusFiles('.xml');
  const payloads = corpusFiles('.json').map(({ label, text }) => ({
    label,
    fields: JSON.parse(text) as Record<string, string>,
  }));
  const secret = 'conformance-secret';

  describe(`the real AltaPay corpus in ${corpusDirs.join(delimiter)}`, () => {
    it('has documents to read in every folder it was given', () => {
      for (const dir of corpusDirs) {
        expect(
          documents.some(({ label }) => label.startsWith(`${basename(dir)}/`)),
          dir,
        ).toBe(true);
      }
    });

    for (const { label, text } of documents) {
      it(`reads ${label}`, () => {
        const response = parseApiResponse(text);

        expect(response.header.errorCode).toMatch(/^\d+$/);
        for (const t of response.transactions) {
          expect(t.reservedAmount).toMatch(/^\d+(\.\d+)?$/);
          expect(t.transactionStatus).not.toBe('');
        }
      });
    }

    for (const { label, text } of documents.filter((document) => /<Transaction>/.test(document.text))) {
      it(`accepts ${label} as the xml of a signed callback form built from its first transaction`, () => {
        const body = encodeFormBody(signed(callbackFields(text), secret));

        const fields = decodeFormBody(Buffer.from(body));

        expect(() => parseCallbackForm(fields)).not.toThrow();
        const { amount = '', currency = '', shop_orderid = '', checksum = '' } = Object.fromEntries(fields);
        expect(checksumMatches({ amount, currency, shop_orderid }, checksum, [secret])).toBe(true);
      });
    }

    for (const { label, fields } of payloads.filter((payload) => payload.fields.xml !== undefined)) {
      it(`reads the xml field of ${label}`, () => {
        expect(() => parseApiResponse(fields.xml ?? '')).not.toThrow();
      });

      it(`accepts the form fields of ${label} as the gateway posted them`, () => {
        expect(() => parseCallbackForm(new Map(Object.entries(fields)))).not.toThrow();
      });
    }
  });
}
