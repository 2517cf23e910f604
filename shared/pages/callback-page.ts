import { escapeHtml } from './escape';
import { defaultPageTexts, type PageCatalogue, type PageLanguage, type PageTexts } from './page-texts';

/**
 * What a callback page tells the customer. Chosen by the callback use case from the recorded payment, not from
 * the callback type alone.
 */
export type CallbackPageKind =
  | 'paid' // payment reserved or captured: receipt
  | 'pending' // not final yet (callback_open, or a success we could not confirm yet)
  | 'failed' // the payment was declined or failed
  | 'cancelled' // the customer pressed cancel: nothing was declined
  | 'already-paid' // a failure arrived for an order that is already paid: reassure, nothing to do
  | 'closed'; // the order's money went back (released, refunded, charged back): it cannot be paid again

/** Everything a callback page shows; every string is treated as untrusted and escaped when rendered. */
export interface CallbackPageModel {
  readonly kind: CallbackPageKind;
  /** The language of the payment request: the texts and `<html lang>`. */
  readonly language: PageLanguage;
  readonly shopOrderId: string;
  /** Exact decimal string as the gateway sent it, e.g. '123.41'; omitted when unknown. */
  readonly amount?: string;
  /** ISO 4217 alpha code, e.g. 'DKK'. */
  readonly currency?: string;
  /**
   * Customer-safe text from the gateway, only set when the gateway says it must be shown. Shown on 'failed'
   * pages; otherwise a generic text is shown.
   */
  readonly cardholderMessage?: string;
  /** Shown in the title and header, e.g. 'Acme Shop'. */
  readonly merchantName: string;
  /** The shop's page every page links back to (SHOP_URL). */
  readonly shopUrl?: string;
  /** Where a failed or cancelled payment is tried again: the shop's checkout for this order. */
  readonly tryAgainUrl?: string;
}

interface KindCopy {
  readonly title: keyof PageTexts;
  readonly heading: keyof PageTexts;
  readonly message: keyof PageTexts;
  readonly showAmount: boolean;
}

const COPY: Readonly<Record<CallbackPageKind, KindCopy>> = {
  paid: { title: 'paidTitle', heading: 'paidHeading', message: 'paidMessage', showAmount: true },
  pending: { title: 'pendingTitle', heading: 'pendingHeading', message: 'pendingMessage', showAmount: true },
  // An amount next to "did not go through" reads like a charge.
  failed: {
    title: 'declinedTitle',
    heading: 'declinedHeading',
    message: 'declinedMessage',
    showAmount: false,
  },
  cancelled: {
    title: 'cancelledTitle',
    heading: 'cancelledHeading',
    message: 'cancelledMessage',
    showAmount: false,
  },
  'already-paid': {
    title: 'alreadyPaidTitle',
    heading: 'alreadyPaidHeading',
    message: 'alreadyPaidMessage',
    showAmount: true,
  },
  // An amount on a closed order reads like a charge that still stands.
  closed: { title: 'closedTitle', heading: 'closedHeading', message: 'closedMessage', showAmount: false },
};

// Kept small: the page is a single answer body, and the gateway strips scripts but keeps inline styles.
const STYLE = `*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;padding:clamp(16px,7vh,64px) 16px 24px;background:#f3f4f6;color:#1f2933;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.card{max-width:440px;margin:0 auto;padding:24px;background:#fff;border:1px solid #e3e6ea;border-top:4px solid var(--accent);border-radius:12px;box-shadow:0 1px 2px rgba(16,24,40,.05),0 8px 24px rgba(16,24,40,.06);overflow-wrap:break-word;overflow-wrap:anywhere}
.paid,.already-paid{--accent:#1a7f37;--tint:#e6f4ea}
.pending,.closed{--accent:#9a6700;--tint:#fdf3d8}
.failed,.cancelled{--accent:#b42318;--tint:#fdecea}
.cancelled{--accent:#52606d;--tint:#eef0f3}
.merchant{margin:0 0 20px;padding-bottom:14px;border-bottom:1px solid #eceef1;color:#3e4c59;font-size:15px;font-weight:600;text-align:center}
.status{text-align:center}
.icon{position:relative;display:block;width:56px;height:56px;margin:0 auto 16px;border-radius:50%;background:var(--tint)}
.icon::before,.icon::after{content:"";position:absolute}
.paid .icon::after,.already-paid .icon::after{left:21px;top:13px;width:14px;height:25px;border:solid var(--accent);border-width:0 4px 4px 0;transform:rotate(45deg)}
.pending .icon::before,.closed .icon::before{inset:13px;border:4px solid var(--accent);border-radius:50%}
.pending .icon::after{left:26px;top:19px;width:9px;height:11px;border:solid var(--accent);border-width:0 0 3px 3px}
.failed .icon::before,.failed .icon::after,.cancelled .icon::before,.cancelled .icon::after{left:26px;top:15px;width:4px;height:26px;border-radius:2px;background:var(--accent);transform:rotate(45deg)}
.failed .icon::after,.cancelled .icon::after{transform:rotate(-45deg)}
.actions{display:flex;flex-direction:column;gap:10px;margin:20px 0 0}
.button{display:block;padding:12px 16px;border:1px solid #cbd2d9;border-radius:8px;color:#1f2933;font-weight:600;text-align:center;text-decoration:none}
.button.primary{border-color:var(--accent);background:var(--accent);color:#fff}
h1{margin:0 0 8px;font-size:22px;line-height:1.3;font-weight:700;letter-spacing:-.01em;text-wrap:balance}
.status p{margin:0 0 8px;color:#4b5563}
.status .detail{margin-top:12px;color:#5f6b7a;font-size:13px}
.status .gateway{color:#1f2933;white-space:pre-line}
.details{margin:20px 0 0;padding:4px 16px;background:#f8f9fb;border:1px solid #eceef1;border-radius:8px}
.row{padding:10px 0}
.row+.row{border-top:1px solid #e6e8eb}
dt{color:#52606d;font-size:13px}
dd{margin:0;font-size:17px;font-weight:600;font-variant-numeric:tabular-nums}
.foot{max-width:440px;margin:16px auto 0;color:#5f6b7a;font-size:13px;text-align:center}`;

/**
 * Renders the whole HTML document for a callback answer in the model's language. Pure; every dynamic
 * value, and every text (a merchant may override them), escaped.
 */
export function renderCallbackPage(
  model: CallbackPageModel,
  catalogue: PageCatalogue = defaultPageTexts,
): string {
  const texts = catalogue[model.language];
  const copy = COPY[model.kind];
  const merchant = model.merchantName.trim();
  const title = merchant === '' ? texts[copy.title] : `${texts[copy.title]} – ${merchant}`;

  const messages: string[] = [];
  const gatewayMessage = model.cardholderMessage?.trim() ?? '';
  if (model.kind === 'failed' && gatewayMessage !== '') {
    messages.push(
      `<p class="gateway">${escapeHtml(gatewayMessage)}</p>`,
      `<p>${escapeHtml(texts.declinedHint)}</p>`,
    );
  } else {
    messages.push(`<p>${escapeHtml(texts[copy.message])}</p>`);
  }

  const rows = [detailRow(texts.orderReference, model.shopOrderId)];
  const amount = model.amount ?? '';
  if (copy.showAmount && amount !== '') {
    const currency = model.currency?.trim() ?? '';
    rows.push(detailRow(texts.amount, currency === '' ? amount : `${amount} ${currency}`));
  }
  const retry = model.kind === 'failed' || model.kind === 'cancelled' ? model.tryAgainUrl : undefined;

  return documentShell(
    model.language,
    texts,
    title,
    merchant,
    model.kind,
    `<div class="status" role="status">
<span class="icon" aria-hidden="true"></span>
<h1>${escapeHtml(texts[copy.heading])}</h1>
${messages.join('\n')}
</div>
<dl class="details">
${rows.join('\n')}
</dl>
${actions(texts, retry, model.shopUrl)}`,
  );
}

/** A short notice in the same look, for a request we could not take (e.g. an order already paid). */
export function renderNoticePage(notice: {
  heading: string;
  message: string;
  /** What exactly was wrong, for the shop's developer testing the checkout (a ClientError's message). */
  detail?: string;
  merchantName: string;
  language: PageLanguage;
  shopUrl?: string;
  catalogue?: PageCatalogue;
}): string {
  const texts = (notice.catalogue ?? defaultPageTexts)[notice.language];
  const merchant = notice.merchantName.trim();
  return documentShell(
    notice.language,
    texts,
    merchant === '' ? notice.heading : `${notice.heading} – ${merchant}`,
    merchant,
    'failed',
    `<div class="status" role="alert">
<span class="icon" aria-hidden="true"></span>
<h1>${escapeHtml(notice.heading)}</h1>
<p>${escapeHtml(notice.message)}</p>
${notice.detail === undefined ? '' : `<p class="detail">${escapeHtml(notice.detail)}</p>\n`}</div>
${actions(texts, undefined, notice.shopUrl)}`,
  );
}

/** The way on: "try again" first when there is one, then back to the shop. */
function actions(texts: PageTexts, tryAgainUrl: string | undefined, shopUrl: string | undefined): string {
  const links = [
    tryAgainUrl === undefined
      ? ''
      : `<a class="button primary" id="try-again" href="${escapeHtml(tryAgainUrl)}">${escapeHtml(texts.tryAgain)}</a>`,
    shopUrl === undefined
      ? ''
      : `<a class="button" id="back-to-shop" href="${escapeHtml(shopUrl)}">${escapeHtml(texts.backToShop)}</a>`,
  ].filter((link) => link !== '');
  return links.length === 0 ? '' : `<nav class="actions">\n${links.join('\n')}\n</nav>`;
}

/** The page around the content: no scripts, no external resources, inline styles only. */
function documentShell(
  language: PageLanguage,
  texts: PageTexts,
  title: string,
  merchant: string,
  kind: CallbackPageKind,
  content: string,
): string {
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
${STYLE}
</style>
</head>
<body>
<main class="card ${kind}">
${merchant === '' ? '' : `<header class="merchant">${escapeHtml(merchant)}</header>\n`}${content}
</main>
<footer class="foot">${escapeHtml(texts.footer)}</footer>
</body>
</html>
`;
}

function detailRow(label: string, value: string): string {
  return `<div class="row"><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd></div>`;
}
