import { describe, expect, it } from 'vitest';
import { renderDemoShop } from '../../local/demo-shop';
import { localTerminals } from '../../local/local-terminals';

/** The demo shop offers what the configured terminals take for its DKK orders, and signs that choice. */

const signedOrder = (page: string): Record<string, unknown> => {
  const value = /name="order" value="([^"]*)"/.exec(page)?.[1] ?? '';
  return JSON.parse(value.replaceAll('&quot;', '"').replaceAll('&amp;', '&')) as Record<string, unknown>;
};

const render = (query: string, terminals = localTerminals) =>
  renderDemoShop({
    query: new URLSearchParams(query),
    shopOrderKey: 'k'.repeat(32),
    now: new Date('2026-12-01T12:00:00Z'),
    terminals,
  });

describe('the demo shop', () => {
  it('offers card and MobilePay, the methods a DKK terminal takes, card first', () => {
    const page = render('');
    expect(page).toContain(
      '<option value="card" selected>Card</option><option value="mobilepay">MobilePay</option>',
    );
    expect(signedOrder(page).paymentMethod).toBeUndefined();
  });

  it('signs the chosen method into the order, and falls back to card for one no terminal takes', () => {
    expect(signedOrder(render('method=mobilepay')).paymentMethod).toBe('mobilepay');
    expect(signedOrder(render('method=klarna')).paymentMethod).toBeUndefined();
  });

  it('offers only card with one card terminal for every currency', () => {
    const page = render('method=mobilepay', [{ name: 'Shop Card', method: 'card' }]);
    expect(page).toContain(
      '<select id="method" name="method"><option value="card" selected>Card</option></select>',
    );
    expect(signedOrder(page).paymentMethod).toBeUndefined();
  });
});
