import { describe, expect, it } from 'vitest';
import { checksumMatches, computeChecksum } from '../../shared/altapay/checksum';

describe('the callback checksum', () => {
  it('matches the reference vector for a numeric currency', () => {
    const fields = { amount: '123.41', currency: '208', shop_orderid: '675455' };

    expect(computeChecksum(fields, 'mySecretKey')).toBe('5c4400aa3e8dc18fa40800ab7f3f535f');
  });

  it('matches the reference vector for a non-ASCII secret (UTF-8 bytes)', () => {
    const fields = { amount: '125.55', currency: '208', shop_orderid: 'TestOrder_1' };

    expect(computeChecksum(fields, 'æøå-secret')).toBe('e209365d096d13a4d18aafd7d5afd141');
  });

  it('accepts the current or the previous secret, in either case of hex', () => {
    const fields = { amount: '123.41', currency: '208', shop_orderid: '675455' };

    expect(checksumMatches(fields, '5c4400aa3e8dc18fa40800ab7f3f535f', ['new', 'mySecretKey'])).toBe(true);
    expect(checksumMatches(fields, '5C4400AA3E8DC18FA40800AB7F3F535F', ['mySecretKey'])).toBe(true);
  });

  it('rejects a checksum for other fields, a truncated one, an empty one, and any with no secret', () => {
    const fields = { amount: '123.41', currency: '208', shop_orderid: '675455' };
    const good = '5c4400aa3e8dc18fa40800ab7f3f535f';

    expect(checksumMatches({ ...fields, amount: '123.40' }, good, ['mySecretKey'])).toBe(false);
    expect(checksumMatches(fields, good.slice(0, 31), ['mySecretKey'])).toBe(false);
    expect(checksumMatches(fields, '', ['mySecretKey'])).toBe(false);
    expect(checksumMatches(fields, good, [])).toBe(false);
  });
});
