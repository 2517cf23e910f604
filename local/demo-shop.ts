import { escapeHtml } from '../shared/pages';

/**
 * The demo shop at `GET /` of the local stack: a checkout form that posts an order to
 * `POST /payments` the way a merchant's checkout would, so a browser shows the product working.
 */
export function renderDemoShop(): string {
  const orderId = `demo-${new Date().toISOString().replace(/\D/g, '').slice(2, 14)}`;
  const currencies = ['DKK', 'EUR', 'SEK', 'NOK', 'GBP', 'USD'];
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
.basket{display:flex;justify-content:space-between;padding:12px 0;border-top:1px solid #e6e8eb;border-bottom:1px solid #e6e8eb;margin-bottom:20px}
label{display:block;font-size:13px;color:#52606d;margin:12px 0 4px}
input,select{width:100%;padding:10px 12px;border:1px solid #cbd2d9;border-radius:8px;font:inherit}
.row{display:flex;gap:12px}.row>div{flex:1}
button{margin-top:24px;width:100%;padding:12px;border:0;border-radius:8px;background:#1f6f4a;color:#fff;font:600 16px system-ui,sans-serif;cursor:pointer}
footer{max-width:460px;margin:16px auto 0;color:#7b8794;font-size:13px;text-align:center}
code{font-size:12px}
</style>
</head>
<body>
<main>
<h1>Demo shop</h1>
<p class="lead">A checkout like yours: it posts the order to <code>POST /payments</code>, which sends you to the
(simulated) AltaPay payment page.</p>
<div class="basket"><span>1 × Ceramic mug, forest green</span><span>249.00</span></div>
<form method="post" action="/payments">
<label for="shopOrderId">Order id</label>
<input id="shopOrderId" name="shopOrderId" value="${escapeHtml(orderId)}" required pattern="[A-Za-z0-9_-]{1,100}">
<div class="row">
<div><label for="amount">Amount</label><input id="amount" name="amount" value="249.00" required inputmode="decimal"></div>
<div><label for="currency">Currency</label><select id="currency" name="currency">${currencies
    .map((c) => `<option${c === 'DKK' ? ' selected' : ''}>${c}</option>`)
    .join('')}</select></div>
</div>
<label for="language">Language of the payment page</label>
<select id="language" name="language"><option value="en">English</option><option value="da">Dansk</option></select>
<button type="submit">Go to payment</button>
</form>
</main>
<footer>Local stack: nothing leaves this machine. Payments: <code>GET /payments/&lt;order id&gt;</code></footer>
</body>
</html>
`;
}
