import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewaySimulator, startGatewaySimulator } from '../../local/altapay-simulator/index';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { decodeFormBody } from '../../shared/altapay/form-body';

/**
 * The simulator speaks the gateway's dialect where AltaPay's own client libraries look
 * (docs/altapay-protocol.md §11): content type, paths, login, the `payments` filters, the methods a
 * merchant's integration calls, and the callback fields. The optional suite
 * test/conformance/altapay-sdks.test.ts runs the libraries themselves.
 */
const credentials = { username: 'fidelity', password: 'fidelity-password' };
const terminals = ['AltaPay Test Terminal', 'AltaPay Invoice Terminal'];
const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

let gateway: GatewaySimulator;
let shop: Server;
let shopUrl = '';
const callbacks: ReadonlyMap<string, string>[] = [];

beforeAll(async () => {
  shop = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      callbacks.push(decodeFormBody(Buffer.concat(chunks)));
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p>ok</p>');
    });
  });
  await new Promise<void>((done) => shop.listen(0, '127.0.0.1', done));
  const address = shop.address();
  shopUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  gateway = await startGatewaySimulator({ port: 0, credentials, terminals, notificationDelayMs: 50 });
});

afterAll(async () => {
  await gateway.stop();
  await new Promise<void>((done) => {
    shop.close(() => done());
    shop.closeAllConnections();
  });
});

/** POSTs a form to `path` (relative to the simulator) with the merchant's credentials. */
async function post(
  path: string,
  params: Record<string, string> = {},
  auth: string | null = authorization,
): Promise<{ status: number; contentType: string; xml: string }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(auth === null ? {} : { authorization: auth }),
    },
    body: new URLSearchParams(params).toString(),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    xml: await response.text(),
  };
}

/** The text of the first `<name>` element, or undefined. */
function element(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** A payment made through the payment page: its transaction id. */
async function paidPayment(order: string, type = 'payment', outcome: 'success' | 'open-success' = 'success') {
  const created = parseApiResponse(
    (
      await post('/merchant/API/createPaymentRequest', {
        terminal: terminals[0] ?? '',
        shop_orderid: order,
        amount: '20.00',
        currency: 'EUR',
        type,
        'config[callback_ok]': `${shopUrl}/ok`,
        'config[callback_open]': `${shopUrl}/open`,
        'config[callback_notification]': `${shopUrl}/notification`,
      })
    ).xml,
  );
  await gateway.pay(created.paymentRequestId ?? '', outcome);
  const transaction = gateway.transactions(order)[0];
  if (transaction === undefined) throw new Error(`no transaction for ${order}`);
  return transaction;
}

describe('answers as the gateway does', () => {
  it('answers the Merchant API as text/xml, which sdk-php requires ("Non XML ContentType" otherwise)', async () => {
    const answer = await post('/merchant/API/login');

    expect(answer.contentType).toBe('text/xml; charset=utf-8');
  });

  it('answers login with Result OK, and refuses wrong credentials with 401', async () => {
    const ok = await post('/merchant/API/login');
    const refused = await post(
      '/merchant/API/login',
      {},
      `Basic ${Buffer.from('fidelity:wrong').toString('base64')}`,
    );

    expect(ok.status).toBe(200);
    expect(element(ok.xml, 'Path')).toBe('API/login');
    expect(element(ok.xml, 'ErrorCode')).toBe('0');
    expect(element(ok.xml, 'Result')).toBe('OK');
    expect(refused.status).toBe(401);
  });

  it('answers testConnection without credentials', async () => {
    const answer = await post('/merchant/API/testConnection', {}, null);

    expect(answer.status).toBe(200);
    expect(element(answer.xml, 'Result')).toBe('OK');
  });

  it.each([
    ['/merchant/API/login', 'the SDKs’ form'],
    ['/merchant/API/login/', 'a trailing slash, as api-php writes login/?…'],
    ['/merchant.php/API/login', 'the .php form'],
    ['/merchant.php/API/login/', 'the .php form with a trailing slash'],
  ])('serves %s (%s)', async (path) => {
    const answer = await post(path);

    expect(answer.status).toBe(200);
    expect(element(answer.xml, 'Result')).toBe('OK');
  });

  it('serves payments/?… with its filters in the query, as api-php calls it', async () => {
    const paid = await paidPayment('fidelity-query');
    const response = await fetch(
      `${gateway.url}/merchant/API/payments/?transaction_id=${paid.transactionId}`,
      {
        headers: { authorization },
      },
    );
    const parsed = parseApiResponse(await response.text());

    expect(parsed.transactions.map((t) => t.transactionId)).toEqual([paid.transactionId]);
  });

  it('serves the payment page under /eCommerce.php/ too, as the gateway writes its links', async () => {
    const created = parseApiResponse(
      (
        await post('/merchant/API/createPaymentRequest', {
          terminal: terminals[0] ?? '',
          shop_orderid: 'fidelity-page',
          amount: '1.00',
          currency: 'EUR',
        })
      ).xml,
    );
    const page = await fetch(`${gateway.url}/eCommerce.php/API/requestForm?pid=${created.paymentRequestId}`);

    expect(page.status).toBe(200);
    expect(await page.text()).toContain('fidelity-page');
  });

  it('answers a real method it does not simulate with a header error naming it, not a bare 404', async () => {
    const answer = await post('/merchant/API/createInvoiceReservation', { terminal: 'x' });

    expect(answer.status).toBe(200);
    expect(element(answer.xml, 'ErrorCode')).not.toBe('0');
    expect(element(answer.xml, 'ErrorMessage')).toBe('API/createInvoiceReservation is not simulated');
  });

  it("answers api-php's updateOrder/{paymentId}/reconciliationIdentifier as the method it is, not simulated", async () => {
    const answer = await post(
      '/merchant/API/updateOrder/5e8ed5c2-7cfd-430e-b6bd-7eff65bc2e2c/reconciliationIdentifier',
      {
        reconciliation_identifier: 'r-1',
      },
    );

    expect(answer.status).toBe(200);
    expect(element(answer.xml, 'ErrorMessage')).toBe('API/updateReconciliationIdentifier is not simulated');
  });

  it('still answers a method AltaPay does not have with 404', async () => {
    const answer = await post('/merchant/API/noSuchMethod');

    expect(answer.status).toBe(404);
    expect(element(answer.xml, 'ErrorMessage')).toBe('Unknown API method: noSuchMethod');
  });
});

describe('payments', () => {
  it.each([
    ['transaction (a transaction id)', (t: { transactionId: string }) => ({ transaction: t.transactionId })],
    ['transaction (a payment id)', (t: { paymentId: string }) => ({ transaction: t.paymentId })],
    ['transaction_id', (t: { transactionId: string }) => ({ transaction_id: t.transactionId })],
    ['payment_id', (t: { paymentId: string }) => ({ payment_id: t.paymentId })],
    ['shop_orderid', (t: { shopOrderId: string }) => ({ shop_orderid: t.shopOrderId })],
  ])('finds exactly the payment by %s', async (_name, filter) => {
    const paid = await paidPayment(`fidelity-filter-${callbacks.length}-${Date.now()}`);
    await paidPayment(`fidelity-other-${callbacks.length}-${Date.now()}`);

    const parsed = parseApiResponse((await post('/merchant/API/payments', filter(paid))).xml);

    expect(parsed.transactions.map((t) => t.transactionId)).toEqual([paid.transactionId]);
  });

  it('narrows by terminal and shop', async () => {
    const paid = await paidPayment('fidelity-narrow');

    const [sameTerminal, otherTerminal, sameShop, otherShop] = await Promise.all([
      post('/merchant/API/payments', { shop_orderid: 'fidelity-narrow', terminal: paid.terminal }),
      post('/merchant/API/payments', { shop_orderid: 'fidelity-narrow', terminal: terminals[1] ?? '' }),
      post('/merchant/API/payments', { shop_orderid: 'fidelity-narrow', shop: 'AltaPay Test Shop' }),
      post('/merchant/API/payments', { shop_orderid: 'fidelity-narrow', shop: 'Another Shop' }),
    ]);

    expect(parseApiResponse(sameTerminal.xml).transactions).toHaveLength(1);
    expect(parseApiResponse(otherTerminal.xml).transactions).toHaveLength(0);
    expect(parseApiResponse(sameShop.xml).transactions).toHaveLength(1);
    expect(parseApiResponse(otherShop.xml).transactions).toHaveLength(0);
  });

  it('writes no Transactions element when nothing matches (sdk-python find() relies on it)', async () => {
    const answer = await post('/merchant/API/payments', { transaction_id: '1' });

    expect(element(answer.xml, 'ErrorCode')).toBe('0');
    expect(answer.xml).not.toContain('<Transactions');
    expect(answer.xml).toMatch(
      /<Body>\s*<Result\/>\s*<ResultFilter>\s*<TransactionIdEquals>1<\/TransactionIdEquals>\s*<\/ResultFilter>\s*<\/Body>/,
    );
  });

  it('refuses a filter it does not know with a header error naming it and the ones it takes', async () => {
    const answer = await post('/merchant/API/payments', { transactionid: '1' });

    expect(answer.status).toBe(200);
    expect(element(answer.xml, 'ErrorCode')).toBe('400');
    expect(element(answer.xml, 'ErrorMessage')).toBe(
      "Unknown parameter 'transactionid' for payments: use transaction, transaction_id, payment_id, shop_orderid, shop, terminal, limit",
    );
    expect(answer.xml).toContain('<Body/>');
  });
});

describe('the other methods a merchant integration calls', () => {
  it('lists the configured terminals in the shape of the real getTerminals document', async () => {
    const answer = await post('/merchant/API/getTerminals');
    const titles = [...answer.xml.matchAll(/<Title>([^<]*)<\/Title>/g)].map((m) => m[1]);

    expect(element(answer.xml, 'Result')).toBe('Success');
    expect(titles).toEqual(terminals);
    expect(answer.xml).toMatch(
      /<Terminal>\s*<Title>AltaPay Test Terminal<\/Title>\s*<Country\/>\s*<Natures>\s*<Nature>CreditCard<\/Nature>\s*<Nature>Invoice<\/Nature>\s*<\/Natures>\s*<Currencies>\s*<Currency>XXX<\/Currency>\s*<\/Currencies>\s*<Methods>/,
    );
  });

  it('answers fundingList with an empty, well-formed list', async () => {
    const answer = await post('/merchant/API/fundingList', { page: '0' });

    expect(element(answer.xml, 'ErrorCode')).toBe('0');
    expect(answer.xml).toContain('<Fundings numberOfPages="0"/>');
  });

  it('charges an agreement named agreement[id], as sdk-python sends it', async () => {
    const agreement = await paidPayment('fidelity-agreement', 'subscription');

    const answer = parseApiResponse(
      (
        await post('/merchant/API/chargeSubscription', {
          'agreement[id]': agreement.transactionId,
          amount: '5.00',
        })
      ).xml,
    );

    expect(answer.result).toBe('Success');
    expect(answer.transactions.map((t) => t.authType)).toEqual(['subscription', 'subscription_payment']);
  });

  it('updates an invoice order with exactly two lines, and refuses anything else with a header error', async () => {
    const invoice = await paidPayment('fidelity-invoice', 'payment', 'open-success');
    const card = await paidPayment('fidelity-card');
    const lines = {
      'orderLines[0][itemId]': 'A',
      'orderLines[0][quantity]': '-1',
      'orderLines[0][unitPrice]': '20',
      'orderLines[1][itemId]': 'B',
      'orderLines[1][quantity]': '1',
      'orderLines[1][unitPrice]': '20',
    };

    const updated = await post('/merchant/API/updateOrder', { payment_id: invoice.paymentId, ...lines });
    const oneLine = await post('/merchant/API/updateOrder', {
      payment_id: invoice.paymentId,
      'orderLines[0][itemId]': 'A',
      'orderLines[0][quantity]': '-1',
    });
    const onCard = await post('/merchant/API/updateOrder', { payment_id: card.paymentId, ...lines });
    const withAmount = await post('/merchant/API/updateOrder', {
      payment_id: invoice.paymentId,
      amount: '20.00',
      ...lines,
    });

    expect(element(updated.xml, 'Result')).toBe('Success');
    expect(element(oneLine.xml, 'ErrorMessage')).toBe(
      'Number of original order lines and updated ones does not match.',
    );
    expect(element(onCard.xml, 'ErrorMessage')).toBe(
      'updateOrder is only supported for Invoice payments, not CreditCard',
    );
    // api-php's newer form (the order's new amount with any lines) is not simulated, and says so.
    expect(element(withAmount.xml, 'ErrorMessage')).toBe(
      'updateOrder with an amount is not simulated: send the two order lines only',
    );
  });
});

describe('callback fields', () => {
  it('posts avs_code/avs_text and the fraud verdict on a card payment, matching the document', async () => {
    const paid = await paidPayment('fidelity-avs');
    const fields = callbacks.find((c) => c.get('shop_orderid') === 'fidelity-avs');
    const xml = fields?.get('xml') ?? '';

    expect(paid.maskedPan).not.toBe('');
    expect(fields?.get('avs_code')).toBe(element(xml, 'AddressVerification'));
    expect(fields?.get('avs_text')).toBe(element(xml, 'AddressVerificationDescription'));
    expect(fields?.get('avs_code')).toMatch(/^[A-Za-z0-9]$/);
    expect(fields?.get('fraud_risk_score')).toBe(element(xml, 'FraudRiskScore'));
    expect(fields?.get('fraud_explanation')).toBe(element(xml, 'FraudExplanation'));
    expect(fields?.get('fraud_recommendation')).toBe(element(xml, 'FraudRecommendation'));
    expect(['Accept', 'Deny', 'Challenge', 'Unknown']).toContain(fields?.get('fraud_recommendation'));
  });

  it('posts the fields a real ok callback has in its order (api-php CallbackTest, loevgaard CallbackFactoryTest)', async () => {
    await paidPayment('fidelity-order');
    const names = [...(callbacks.find((c) => c.get('shop_orderid') === 'fidelity-order')?.keys() ?? [])];
    const real = [
      'shop_orderid',
      'currency',
      'type',
      'embedded_window',
      'amount',
      'transaction_id',
      'payment_id',
      'nature',
      'require_capture',
      'payment_status',
      'masked_credit_card',
      'blacklist_token',
      'credit_card_token',
      'status',
      'avs_code',
      'avs_text',
    ];

    expect(names.filter((name) => real.includes(name))).toEqual(real);
    expect(names.at(-1)).toBe('xml');
  });

  it('posts no address verification for a payment without a card', async () => {
    await paidPayment('fidelity-no-card', 'payment', 'open-success');
    const fields = callbacks.find((c) => c.get('shop_orderid') === 'fidelity-no-card');

    expect(fields?.has('avs_code')).toBe(false);
    expect(fields?.get('xml')).not.toContain('<AddressVerification>');
    expect(fields?.get('fraud_recommendation')).toBe('Accept');
  });
});
