import { describe, expect, it } from 'vitest';
import {
  compareFormFields,
  compareShapes,
  documentShape,
  ShapeCorpus,
  valueFormat,
} from '../support/document-shape';

/** The comparison the simulator conformance suite relies on (test/conformance/simulator-conformance.test.ts). */

const transaction = (inner: string) =>
  `<?xml version="1.0"?><APIResponse version="20170228"><Body><Transactions><Transaction>${inner}</Transaction></Transactions></Body></APIResponse>`;

function keys(real: string, ours: string, corpus = new ShapeCorpus().add(documentShape(real))): string[] {
  return compareShapes(documentShape(real), documentShape(ours), corpus).map(({ key }) => key);
}

const path = 'APIResponse/Body/Transactions/Transaction';

describe('valueFormat', () => {
  it.each([
    ['', 'empty'],
    ['  ', 'empty'],
    ['80000001', 'integer'],
    ['0', 'integer'],
    ['13.29', 'decimal(2)'],
    ['0.0', 'decimal(1)'],
    ['2026-11-20 10:00:00', 'YYYY-MM-DD HH:MM:SS'],
    ['-0001-11-30 00:00:00', 'YYYY-MM-DD HH:MM:SS'],
    ['2026-11-20T10:00:00+01:00', 'ISO date-time with offset'],
    ['0f4c0b1a-6c8d-4e2f-9a7b-5c4d3e2f1a0b', 'uuid'],
    ['false', 'true/false'],
    ['Visa', 'free text'],
    ['2026-11-20', 'free text'],
  ])("takes '%s' for %s", (value, format) => {
    expect(valueFormat(value)).toBe(format);
  });
});

describe('compareShapes', () => {
  it('finds no difference between a document and itself, whatever the values', () => {
    expect(
      keys(transaction('<TransactionId>1</TransactionId>'), transaction('<TransactionId>2</TransactionId>')),
    ).toEqual([]);
  });

  it('names an element that differs only in case as a casing difference', () => {
    expect(
      keys(transaction('<ReasonCode>NONE</ReasonCode>'), transaction('<Reasoncode>NONE</Reasoncode>')),
    ).toEqual([`casing ${path}/ReasonCode: ours Reasoncode`]);
  });

  it('names an element of the real document that ours lacks', () => {
    expect(keys(transaction('<A>1</A><IsTokenized>false</IsTokenized>'), transaction('<A>1</A>'))).toEqual([
      `missing ${path}/IsTokenized`,
    ]);
  });

  it('names an element of ours only when no real document has it', () => {
    const corpus = new ShapeCorpus()
      .add(documentShape(transaction('<A>1</A>')))
      .add(documentShape(transaction('<A>1</A><B>x</B>')));

    expect(keys(transaction('<A>1</A>'), transaction('<A>1</A><B>x</B>'), corpus)).toEqual([]);
    expect(keys(transaction('<A>1</A>'), transaction('<A>1</A><C>x</C>'), corpus)).toEqual([
      `extra ${path}/C`,
    ]);
  });

  it('names a value format of ours that no real document has there', () => {
    const real = transaction('<ReservedAmount>13.29</ReservedAmount>');

    expect(keys(real, transaction('<ReservedAmount>13.3</ReservedAmount>'))).toEqual([
      `format ${path}/ReservedAmount: real decimal(2), ours decimal(1)`,
    ]);
  });

  it('names two siblings in an order no real document has', () => {
    const real = transaction('<A>1</A><B>2</B><C>3</C>');

    expect(keys(real, transaction('<B>2</B><A>1</A><C>3</C>'))).toEqual([
      `order ${path}: real A before B, ours after`,
    ]);
  });

  it('names a container ours leaves empty where the real one has content', () => {
    const real = transaction('<CustomerInfo><Email>a@b.c</Email></CustomerInfo>');

    expect(keys(real, transaction('<CustomerInfo/>'))).toEqual([
      `empty ${path}/CustomerInfo: real has Email`,
    ]);
  });

  it('compares attribute names, and reads past a BOM, comments and CDATA', () => {
    const real = `\uFEFF<?xml version="1.0"?><!-- c --><APIResponse version="1"><Body><Amount currency="208"><![CDATA[ 1.00 ]]></Amount></Body></APIResponse>`;
    const ours = '<APIResponse version="2"><Body><Amount>2.00</Amount></Body></APIResponse>';

    expect(keys(real, ours)).toEqual(['missing attribute APIResponse/Body/Amount@currency']);
  });
});

describe('compareFormFields', () => {
  it('folds the merchant keys of transaction_info, and ignores the xml field', () => {
    const real = { amount: '12.50', 'transaction_info[a]': 'x', xml: '<APIResponse/>' };
    const ours = { amount: '99.00', 'transaction_info[b]': 'y', xml: '<APIResponse/>' };

    expect(compareFormFields(real, ours, new ShapeCorpus().addForm(real))).toEqual([]);
  });

  it('names a field ours lacks or adds, and a value format no real POST has', () => {
    const real = { amount: '12.50', avs_code: 'Y' };
    const ours = { amount: '12', checksum: 'abc' };

    expect(compareFormFields(real, ours, new ShapeCorpus().addForm(real)).map(({ key }) => key)).toEqual([
      'format field amount: real decimal(2), ours integer',
      'missing field avs_code',
      'extra field checksum',
    ]);
  });
});
