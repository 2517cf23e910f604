import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { compact, parser, parserOptions, repeatable } from '../../shared/altapay/api-response';
import { propertyRuns } from './runs';

/**
 * `compact` replaces fast-xml-parser's own conversion of its ordered tree (for speed): it must give
 * exactly what the library gives with the same options and `preserveOrder` off.
 */
const libraryConversion = new XMLParser({
  ...parserOptions,
  preserveOrder: false,
  isArray: (name) => repeatable.has(name),
});

const ours = (xml: string) => compact(parser.parse(xml) as Record<string, unknown>[]);
const fixtures = join(import.meta.dirname, '../fixtures/altapay');

describe('reading the parser tree into plain objects', () => {
  it('gives what the library conversion gives for every gateway document among our fixtures', () => {
    const documents = readdirSync(fixtures).filter((name) => name.endsWith('.xml'));
    expect(documents.length).toBeGreaterThan(20);
    for (const name of documents) {
      const xml = readFileSync(join(fixtures, name), 'utf8');
      expect(ours(xml), name).toEqual(libraryConversion.parse(xml));
    }
  });

  it('gives what the library conversion gives for any mix of elements, repeats, text, CDATA and comments', () => {
    const name = fc.constantFrom('A', 'B', 'Transaction', 'Action', 'Amount', 'ns:C');
    const text = fc.constantFrom('', ' ', 'x', ' 12.50 ', 'a &amp; b', '0');
    const element: fc.Arbitrary<string> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        text,
        text.map((t) => `<![CDATA[${t}]]>`),
        fc.constant('<!-- note -->'),
        name.map((n) => `<${n}/>`),
        fc
          .tuple(name, fc.array(tie('node'), { maxLength: 4 }))
          .map(([n, children]) => `<${n}>${children.join('')}</${n}>`),
      ),
    })).node;
    fc.assert(
      fc.property(fc.array(element, { maxLength: 5 }), (children) => {
        const xml = `<APIResponse>${children.join('')}</APIResponse>`;
        expect(ours(xml)).toEqual(libraryConversion.parse(xml));
      }),
      { numRuns: propertyRuns },
    );
  });
});
