import { randomBytes } from 'node:crypto';
import { signOrder } from '../shared/checkout/order-signature';
import { defaultPaymentMethod, type Terminal } from '../shared/checkout/terminals';
import { escapeHtml } from '../shared/pages';

/**
 * The demo shop at `GET /` of the local stack, behaving as a merchant's back end must: the browser only
 * picks products from the shop's own price list; the shop's server builds the order (amounts from
 * that list, an expiry half an hour ahead), signs it with the shop key and renders it into hidden
 * fields of the form that posts to `POST /payments`. Nothing the browser changes survives the
 * signature.
 */

/** The shop's price list, in øre (DKK minor units), so totals are exact. */
export const demoProducts = {
  mug: { name: 'Ceramic mug, forest green', priceMinor: 24_900 },
  towel: { name: 'Linen tea towel', priceMinor: 8_900 },
  teapot: { name: 'Stoneware teapot', priceMinor: 49_500 },
} as const;

type ProductId = keyof typeof demoProducts;

/** The languages our pages speak, by their own names; `nb` goes to the gateway as `no`, its code. */
const languages = {
  en: 'English',
  da: 'Dansk',
  sv: 'Svenska',
  no: 'Norsk',
  fi: 'Suomi',
  de: 'Deutsch',
} as const;

/** How the shop names the methods it knows; any other configured method shows as its word. */
const methodLabels: Readonly<Record<string, string>> = {
  card: 'Card',
  mobilepay: 'MobilePay',
  klarna: 'Klarna',
  invoice: 'Invoice',
};

/** How long the rendered checkout may be used: time to pay, not time to replay. */
const orderLifetimeMinutes = 30;
const maxQuantity = 9;

export interface DemoShopRequest {
  /** The basket the browser picked: `product`, `quantity`, `language` (anything else is ignored). */
  readonly query: URLSearchParams;
  readonly shopOrderKey: string;
  readonly now: Date;
  /** The configured terminals: the shop offers the methods its DKK orders can be paid with. */
  readonly terminals: readonly Terminal[];
}

/** The shop sells in DKK only. */
const shopCurrency = 'DKK';

/** The payment methods some terminal takes DKK with, card first. */
export function demoMethods(terminals: readonly Terminal[]): readonly string[] {
  const methods = terminals
    .filter((t) => t.currency === undefined || t.currency === shopCurrency)
    .map((t) => t.method);
  return [...new Set(methods)].sort(
    (a, b) => Number(b === defaultPaymentMethod) - Number(a === defaultPaymentMethod),
  );
}

/** The basket from the query, with the shop's defaults for whatever is missing or not on offer. */
function basketOf(query: URLSearchParams, methods: readonly string[]) {
  const product = (
    Object.hasOwn(demoProducts, query.get('product') ?? '') ? query.get('product') : 'mug'
  ) as ProductId;
  const asked = Number(query.get('quantity'));
  const quantity = Number.isInteger(asked) && asked >= 1 && asked <= maxQuantity ? asked : 1;
  const language = (
    Object.hasOwn(languages, query.get('language') ?? '') ? query.get('language') : 'en'
  ) as keyof typeof languages;
  const method = methods.find((m) => m === query.get('method')) ?? methods[0] ?? defaultPaymentMethod;
  return { product, quantity, language, method };
}

const decimal = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

/** The order the shop's server signs: everything that decides money comes from the price list. */
export function demoOrder(query: URLSearchParams, now: Date, methods: readonly string[] = []) {
  const { product, quantity, language, method } = basketOf(query, methods);
  const { name, priceMinor } = demoProducts[product];
  return {
    shopOrderId: `demo-${now.toISOString().replace(/\D/g, '').slice(2, 14)}-${randomBytes(4).toString('hex')}`,
    amount: decimal(priceMinor * quantity),
    currency: shopCurrency,
    language,
    ...(method === defaultPaymentMethod ? {} : { paymentMethod: method }),
    expiresAt: new Date(now.getTime() + orderLifetimeMinutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    orderLines: [
      { description: name, itemId: product, quantity: String(quantity), unitPrice: decimal(priceMinor) },
    ],
  };
}

export function renderDemoShop({ query, shopOrderKey, now, terminals }: DemoShopRequest): string {
  const methods = demoMethods(terminals);
  const basket = basketOf(query, methods);
  const order = demoOrder(query, now, methods);
  // The exact text that is signed is the text the form sends back: one line, so no browser rewrites it.
  const orderJson = JSON.stringify(order);
  const signature = signOrder(orderJson, shopOrderKey);
  const options = <T extends string>(entries: readonly (readonly [T, string])[], selected: T) =>
    entries
      .map(
        ([value, label]) =>
          `<option value="${escapeHtml(value)}"${value === selected ? ' selected' : ''}>${escapeHtml(label)}</option>`,
      )
      .join('');
  const products = Object.entries(demoProducts).map(
    ([id, p]) => [id as ProductId, `${p.name}, ${decimal(p.priceMinor)} DKK`] as const,
  );
  const quantities = Array.from({ length: maxQuantity }, (_, i) => [String(i + 1), String(i + 1)] as const);
  const line = order.orderLines[0];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo shop – checkout</title>
<style>
*{box-sizing:border-box}
body{margin:0;padding:32px 16px;background:#f6f3ee;color:#1f2933;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:460px;margin:0 auto;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:28px}
h1{margin:0 0 4px;font-size:22px}
p.lead{margin:0 0 20px;color:#52606d}
.basket{display:flex;justify-content:space-between;gap:12px;padding:12px 0;border-top:1px solid #e6e8eb;border-bottom:1px solid #e6e8eb;margin:20px 0 4px}
.order{margin:0 0 4px;color:#52606d;font-size:13px}
#total{white-space:nowrap}
label{display:block;font-size:13px;color:#52606d;margin:12px 0 4px}
select{width:100%;padding:10px 12px;border:1px solid #cbd2d9;border-radius:8px;font:inherit}
.row{display:flex;gap:12px}.row>div{flex:1}
button{margin-top:16px;width:100%;padding:12px;border:0;border-radius:8px;background:#1f6f4a;color:#fff;font:600 16px system-ui,sans-serif;cursor:pointer}
button.secondary{background:#e6e8eb;color:#1f2933;font-weight:500}
footer{max-width:460px;margin:16px auto 0;color:#7b8794;font-size:13px;text-align:center}
code{font-size:12px}
</style>
</head>
<body>
<main>
<h1>Demo shop</h1>
<p class="lead">A checkout like yours: the shop's server prices and signs the order, the form posts it to
<code>POST /payments</code>, which sends you to the (simulated) AltaPay payment page.</p>
<form method="get" action="/">
<label for="product">Product</label>
<select id="product" name="product">${options(products, basket.product)}</select>
<div class="row">
<div><label for="quantity">Quantity</label><select id="quantity" name="quantity">${options(quantities, String(basket.quantity))}</select></div>
<div><label for="language">Language of the payment page</label><select id="language" name="language">${options(
    Object.entries(languages) as [keyof typeof languages, string][],
    basket.language,
  )}</select></div>
</div>
<label for="method">Payment method</label>
<select id="method" name="method">${options(
    methods.map((m) => [m, methodLabels[m] ?? m] as const),
    basket.method,
  )}</select>
<button type="submit" class="secondary" id="update">Update basket</button>
</form>
<div class="basket"><span>${escapeHtml(`${line?.quantity} × ${line?.description}`)}</span><span id="total">${escapeHtml(order.amount)} ${escapeHtml(order.currency)}</span></div>
<p class="order">Order <span id="shopOrderId" data-shop-order-id="${escapeHtml(order.shopOrderId)}">${escapeHtml(order.shopOrderId)}</span>, valid until ${escapeHtml(order.expiresAt)}</p>
<form method="post" action="/payments" id="checkout">
<input type="hidden" name="order" value="${escapeHtml(orderJson)}">
<input type="hidden" name="signature" value="${escapeHtml(signature)}">
<button type="submit" id="pay">Go to payment</button>
</form>
</main>
<footer>Local stack: nothing leaves this machine. Payments: <code>GET /payments/&lt;order id&gt;</code></footer>
</body>
</html>
`;
}
