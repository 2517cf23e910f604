import { describe, expect, it } from 'vitest';
import { currencies, findCurrency } from '../../shared/altapay/currency';

describe('findCurrency', () => {
  const known = [
    { name: 'Danish krone', alpha: 'DKK', numeric: '208', exponent: 2 },
    { name: 'euro', alpha: 'EUR', numeric: '978', exponent: 2 },
    { name: 'US dollar', alpha: 'USD', numeric: '840', exponent: 2 },
    { name: 'pound sterling', alpha: 'GBP', numeric: '826', exponent: 2 },
    { name: 'Swedish krona', alpha: 'SEK', numeric: '752', exponent: 2 },
    { name: 'Norwegian krone', alpha: 'NOK', numeric: '578', exponent: 2 },
    { name: 'Japanese yen', alpha: 'JPY', numeric: '392', exponent: 0 },
    { name: 'Icelandic krona', alpha: 'ISK', numeric: '352', exponent: 0 },
    { name: 'Kuwaiti dinar', alpha: 'KWD', numeric: '414', exponent: 3 },
    { name: 'Bahraini dinar', alpha: 'BHD', numeric: '048', exponent: 3 },
    { name: 'Swiss franc', alpha: 'CHF', numeric: '756', exponent: 2 },
    { name: 'Polish zloty', alpha: 'PLN', numeric: '985', exponent: 2 },
  ];

  for (const { name, alpha, numeric, exponent } of known) {
    it(`finds ${name} by its numeric code ${numeric}`, () => {
      expect(findCurrency(numeric)).toEqual({ alpha, numeric, exponent });
    });

    it(`finds ${name} by its alphabetic code ${alpha}`, () => {
      expect(findCurrency(alpha)).toEqual({ alpha, numeric, exponent });
    });
  }

  it('finds currencies whose numeric code has leading zeros only with the zeros kept', () => {
    expect(findCurrency('036')?.alpha).toBe('AUD');
    expect(findCurrency('048')?.alpha).toBe('BHD');
    expect(findCurrency('36')).toBeUndefined();
    expect(findCurrency('48')).toBeUndefined();
  });

  it('finds alphabetic codes in any case and reports them in upper case', () => {
    expect(findCurrency('dkk')?.alpha).toBe('DKK');
    expect(findCurrency('Eur')?.alpha).toBe('EUR');
    expect(findCurrency('uSd')?.numeric).toBe('840');
  });

  it('finds the current replacements of withdrawn currencies', () => {
    expect(findCurrency('532')?.alpha).toBe('XCG');
    expect(findCurrency('SLE')?.numeric).toBe('925');
    expect(findCurrency('ZWG')?.numeric).toBe('924');
    expect(findCurrency('VES')?.numeric).toBe('928');
    expect(findCurrency('VED')?.numeric).toBe('926');
  });

  it.each([
    ['BGN', '975', 2026],
    ['HRK', '191', 2023],
  ])(
    'still finds %s (%s), marked withdrawn in %d, for callbacks about older payments',
    (alpha, numeric, year) => {
      expect(findCurrency(alpha)).toEqual({ alpha, numeric, exponent: 2, withdrawn: year });
      expect(findCurrency(numeric)?.alpha).toBe(alpha);
    },
  );

  it('marks no current currency as withdrawn', () => {
    expect(findCurrency('DKK')?.withdrawn).toBeUndefined();
    expect(findCurrency('EUR')?.withdrawn).toBeUndefined();
  });

  it.each(['ANG', 'CUC', 'SLL', 'ZWL'])('does not find withdrawn currency code %j', (code) => {
    expect(findCurrency(code)).toBeUndefined();
  });

  it.each(['XAU', 'XDR', 'XXX', 'XTS', '999'])(
    'does not find code %j, which has no minor unit and so cannot price anything',
    (code) => {
      expect(findCurrency(code)).toBeUndefined();
    },
  );

  it.each([
    '',
    ' 208',
    '208 ',
    '20',
    '2080',
    'DK',
    'DKKK',
    ' DKK',
    'D K',
    '２０８',
    '20.',
    '-20',
    'null',
    'undefined',
    'NaN',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    '000',
    'ABC',
  ])('does not find anything for junk input %j', (code) => {
    expect(findCurrency(code)).toBeUndefined();
  });

  it('does not throw when untyped callers pass something other than a string', () => {
    for (const value of [null, undefined, 208, 36, {}, [], { toString: () => 'DKK' }]) {
      expect(findCurrency(value as unknown as string)).toBeUndefined();
    }
  });
});

describe('currencies', () => {
  it('agrees with findCurrency for every entry, by numeric and by alphabetic code', () => {
    for (const currency of currencies) {
      expect(findCurrency(currency.numeric)).toBe(currency);
      expect(findCurrency(currency.alpha)).toBe(currency);
      expect(findCurrency(currency.alpha.toLowerCase())).toBe(currency);
    }
  });

  it('uses no numeric code twice', () => {
    const numerics = currencies.map((c) => c.numeric);
    expect(new Set(numerics).size).toBe(numerics.length);
  });

  it('uses no alphabetic code twice', () => {
    const alphas = currencies.map((c) => c.alpha);
    expect(new Set(alphas).size).toBe(alphas.length);
  });

  it('writes every code in its canonical form: three upper-case letters and three digits', () => {
    for (const { alpha, numeric } of currencies) {
      expect(alpha).toMatch(/^[A-Z]{3}$/);
      expect(numeric).toMatch(/^[0-9]{3}$/);
    }
  });

  it('gives every currency a whole-number exponent from 0 to 4', () => {
    for (const { exponent } of currencies) {
      expect(Number.isInteger(exponent)).toBe(true);
      expect(exponent).toBeGreaterThanOrEqual(0);
      expect(exponent).toBeLessThanOrEqual(4);
    }
  });

  it('covers the current ISO 4217 list, funds codes included', () => {
    expect(currencies.filter((c) => c.withdrawn === undefined)).toHaveLength(165);
    expect(findCurrency('CLF')?.exponent).toBe(4);
    expect(findCurrency('UYW')?.exponent).toBe(4);
    expect(findCurrency('UYI')?.exponent).toBe(0);
    expect(findCurrency('CLP')?.exponent).toBe(0);
  });

  it('cannot be changed by callers', () => {
    expect(Object.isFrozen(currencies)).toBe(true);
    expect(currencies.every((c) => Object.isFrozen(c))).toBe(true);
  });
});
