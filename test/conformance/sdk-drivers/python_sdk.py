"""Drives AltaPay's sdk-python against the gateway simulator (test/conformance/altapay-sdks.test.ts).

Our own code: it imports the SDK from the checkout named by ALTAPAY_SDK_PYTHON_DIR and uses it as a
merchant would, with its defaults (API(mode='test', url=..., account, password), auto-login on).
Reads a JSON array of steps ({"op": ..., "args": {...}}) on stdin and prints one JSON array of
results ({"op", "ok", "value"} or {"op", "ok": false, "error": {"type", "message"}}) on stdout.
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # the SDK checkout is read-only for us: no __pycache__ in it
sys.path.insert(0, os.environ['ALTAPAY_SDK_PYTHON_DIR'])

from altapay import API, Callback, Payment, Terminals, Transaction, UpdateOrder  # noqa: E402


def summary(transaction):
    """The fields the test asserts on, as strings (the SDK turns digits into numbers)."""
    return {
        'transactionId': str(transaction.transaction_id),
        'authType': str(transaction.auth_type),
        'status': str(transaction.transaction_status),
        'reservedAmount': str(transaction.reserved_amount),
        'capturedAmount': str(transaction.captured_amount),
        'refundedAmount': str(transaction.refunded_amount),
    }


def chargebacks(transaction):
    """What a merchant's dispute handling reads from Transaction.chargebacks(), as strings."""
    events = getattr(transaction, 'chargeback_events', None)
    if not isinstance(events, dict) or 'chargeback_event' not in events:
        return []  # an empty ChargebackEvents element: chargebacks() would fail on it
    return [{'reasonCode': str(event.reason_code),
             'amount': str(event.amount),
             'currency': str(event.currency),
             'additionalInfo': str(event.additional_info)}
            for event in transaction.chargebacks()]


def answer(callback):
    """A capture/refund/release/charge answer: Result and its transactions, as the SDK reads them."""
    return {
        'result': callback.result,
        'transactions': [summary(t) for t in callback.transactions()],
    }


def main():
    steps = json.load(sys.stdin)
    env = json.loads(os.environ['ALTAPAY_DRIVER_CONFIG'])
    api = None
    results = []
    for step in steps:
        op, args = step['op'], step.get('args', {})
        try:
            if op == 'login':
                # The SDK's default: the constructor logs in (API/login) and raises when it cannot.
                api = API(mode='test', url=env['url'] + '/merchant/', account=env['account'],
                          password=env['password'])
                value = {'authenticated': api._is_authenticated}
            elif op == 'test_connection':
                # No credentials: the SDK says testConnection needs none.
                anonymous = API(mode='test', url=env['url'] + '/merchant/', account='-', password='-',
                                auto_login=False)
                value = {'success': anonymous.test_connection().success}
            elif op == 'create':
                payment = Payment(api=api)
                created = payment.create(args['terminal'], args['shop_orderid'], args['amount'],
                                         args['currency'], **args.get('extra', {}))
                value = {'success': created, 'paymentRequestId': payment.payment_request_id,
                         'url': payment.url}
            elif op == 'find':
                value = summary(Transaction.find(args['transaction_id'], api))
            elif op == 'capture':
                value = answer(Transaction.find(args['transaction_id'], api).capture(**args.get('extra', {})))
            elif op == 'refund':
                value = answer(Transaction.find(args['transaction_id'], api).refund(**args.get('extra', {})))
            elif op == 'release':
                value = answer(Transaction.find(args['transaction_id'], api).release())
            elif op == 'charge_subscription':
                agreement = Transaction.find(args['transaction_id'], api)
                value = answer(agreement.charge_subscription(**args.get('extra', {})))
            elif op == 'reserve_subscription_charge':
                agreement = Transaction.find(args['transaction_id'], api)
                value = answer(agreement.reserve_subscription_charge(**args.get('extra', {})))
            elif op == 'update_order':
                value = {'success': UpdateOrder(api=api).update(args['payment_id'], args['order_lines'])}
            elif op == 'terminals':
                value = [t['Title'] for t in Terminals(api=api).terminals]
            elif op == 'parse_callback':
                callback = Callback.from_xml_callback(args['xml'])
                transactions = callback.transactions()
                value = {'result': callback.result,
                         'transactions': [summary(t) for t in transactions],
                         'chargebacks': chargebacks(transactions[0]) if transactions else []}
            else:
                raise ValueError('unknown step: ' + op)
            results.append({'op': op, 'ok': True, 'value': value})
        except Exception as error:  # the test asserts on the SDK's exact error
            results.append({'op': op, 'ok': False,
                            'error': {'type': type(error).__name__, 'message': str(error)}})
    json.dump(results, sys.stdout)


main()
