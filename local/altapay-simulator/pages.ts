/**
 * What the customer sees on the simulated gateway: the payment page, the gateway's own result and
 * error pages, and the merchant's callback answers with their scripts removed. Self-contained HTML
 * (inline styles, no external resources), every value escaped.
 */
import { escapeHtml } from '../../shared/pages/escape';
import { type ClickFaultName, maxFaultSeconds } from './faults';

/** The buttons of the payment page, in the order shown. */
export const outcomeLabels = {
  success: 'Pay',
  'success-unheard': 'Pay — the shop never hears',
  decline: 'Decline',
  '3ds-failure': '3-D Secure fails',
  cancel: 'Cancel',
  'open-success': 'Pending, then succeeds',
  'open-failure': 'Pending, then fails',
} as const;

/**
 * The payment page's "Rehearse a fault" menu: faults of this click only, in plain words
 * (docs/altapay-protocol.md §12). The API faults are queued through `POST /control/faults`.
 */
export const clickFaultLabels = {
  'callback-lost': 'The shop never gets the result callback',
  'callback-slow': 'The result callback is sent late (seconds below)',
  'callback-twice': 'The result callback arrives twice',
  'notification-before-ok': 'The final notification arrives before the result callback',
  'ok-after-fail': 'A stale failure arrives before the success',
} as const satisfies Record<ClickFaultName, string>;

const style = `
  body { font-family: system-ui, sans-serif; background: #f3f5f8; color: #1d2733; margin: 0; }
  header { background: #0b2e4f; color: #fff; padding: 12px 24px; font-weight: 600; }
  header small { font-weight: 400; opacity: .8; margin-left: 8px; }
  main { max-width: 520px; margin: 32px auto; background: #fff; border-radius: 8px; padding: 24px 28px;
         box-shadow: 0 1px 4px rgba(0,0,0,.12); }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; }
  dt { color: #5b6776; } dd { margin: 0; font-weight: 500; }
  .card { border: 1px solid #d5dbe3; border-radius: 6px; padding: 12px; margin: 16px 0; font-family: monospace; }
  .outcomes { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
  button { padding: 10px; border-radius: 6px; border: 1px solid #0b2e4f; background: #fff; cursor: pointer; }
  button[data-outcome="success"] { background: #0b2e4f; color: #fff; }
  .fault { margin: 16px 0 0; display: grid; gap: 6px; color: #5b6776; }
  .notice { color: #8a1f11; } table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e7ec; }
`;

/** A complete gateway-branded page. `body` must already be escaped HTML. */
export function gatewayPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - AltaPay test gateway</title><style>${style}</style></head>
<body><header>AltaPay test gateway<small>simulator: no real money moves</small></header>
<main>${body}</main></body></html>
`;
}

/** The facts of a payment request the payment page shows. */
export interface PaymentPageFacts {
  readonly id: string;
  readonly terminal: string;
  readonly shopOrderId: string;
  readonly amount: string;
  readonly currencyAlpha: string;
  readonly type: string;
  readonly maskedPan: string;
}

/** The payment page: the order, a fake card, one button per outcome and the fault to rehearse with it. */
export function paymentPage(facts: PaymentPageFacts): string {
  const action = `/eCommerce/API/pay?pid=${encodeURIComponent(facts.id)}`;
  const buttons = Object.entries(outcomeLabels)
    .map(
      ([outcome, label]) =>
        `<button type="submit" name="outcome" value="${outcome}" data-outcome="${outcome}">${escapeHtml(label)}</button>`,
    )
    .join('\n');
  const faultOptions = Object.entries(clickFaultLabels)
    .map(([fault, label]) => `<option value="${fault}">${escapeHtml(label)}</option>`)
    .join('\n');
  return gatewayPage(
    'Payment',
    `<h1>Pay ${escapeHtml(facts.amount)} ${escapeHtml(facts.currencyAlpha)}</h1>
<dl><dt>Merchant terminal</dt><dd id="terminal">${escapeHtml(facts.terminal)}</dd>
<dt>Order</dt><dd id="shop-order-id">${escapeHtml(facts.shopOrderId)}</dd>
<dt>Amount</dt><dd id="amount">${escapeHtml(facts.amount)} ${escapeHtml(facts.currencyAlpha)}</dd>
<dt>Type</dt><dd>${escapeHtml(facts.type)}</dd></dl>
<div class="card">Visa test card ${escapeHtml(facts.maskedPan)} &middot; expires 12/${new Date().getFullYear() + 3 - 2000} &middot; CVC ***</div>
<form method="post" action="${escapeHtml(action)}"><div class="outcomes">
${buttons}
</div>
<div class="fault"><label for="fault">Rehearse a fault (this click only)</label>
<select id="fault" name="fault"><option value="">No fault: the gateway behaves</option>
${faultOptions}
</select>
<label for="seconds">Seconds a late callback waits</label>
<input id="seconds" name="seconds" type="number" min="0" max="${maxFaultSeconds}" step="0.1" value="30"></div></form>`,
  );
}

/** A gateway page with one heading and one paragraph. */
export function messagePage(title: string, message: string): string {
  return gatewayPage(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

/** The index: recent payment requests, newest first, each linked to its payment page. */
export function indexPage(
  requests: readonly {
    id: string;
    shopOrderId: string;
    amount: string;
    currencyAlpha: string;
    state: string;
  }[],
): string {
  const rows = requests
    .map(
      (r) =>
        `<tr><td><a href="/eCommerce/API/requestForm?pid=${encodeURIComponent(r.id)}">${escapeHtml(r.shopOrderId)}</a></td>` +
        `<td>${escapeHtml(r.amount)} ${escapeHtml(r.currencyAlpha)}</td><td>${escapeHtml(r.state)}</td></tr>`,
    )
    .join('\n');
  const table =
    requests.length === 0
      ? '<p>No payment requests yet: create one with <code>POST /merchant/API/createPaymentRequest</code>.</p>'
      : `<table><tr><th>Order</th><th>Amount</th><th>State</th></tr>\n${rows}</table>`;
  return gatewayPage('Payment requests', `<h1>Recent payment requests</h1>${table}`);
}

/**
 * The merchant's answer as the gateway serves it to the customer: every script element removed,
 * including `<script src=...>`, unclosed ones and those rebuilt by nesting (`<scr<script></script>ipt>`).
 */
export function stripScripts(html: string): string {
  let current = html;
  for (;;) {
    const next = current
      .replace(/<script\b[^>]*>[\s\S]*?<\/script\s*>/gi, '')
      // An opening tag that is never closed swallows the rest of the document, as in a browser.
      .replace(/<script\b[^>]*>[\s\S]*$/i, '')
      .replace(/<\/script\s*>/gi, '');
    if (next === current) return current;
    current = next;
  }
}

/**
 * The verify_order refusal as the customer sees it (docs/altapay-protocol.md §3.3): the first 255 characters
 * of the merchant's answer with tags removed; escaping is the page's job.
 */
export function refusalText(answer: string): string {
  return answer
    .slice(0, 255)
    .replace(/<[^>]*(>|$)/g, '')
    .trim();
}
