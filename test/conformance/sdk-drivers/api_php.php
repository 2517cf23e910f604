<?php
/**
 * Drives AltaPay's api-php (the library of the Magento, WooCommerce and PrestaShop plugins) against the
 * gateway simulator (test/conformance/altapay-sdks.test.ts).
 *
 * Our own code: it loads the library from the checkout named by ALTAPAY_API_PHP_DIR and its Composer
 * dependencies (Guzzle, Symfony OptionsResolver and EventDispatcher) from ALTAPAY_API_PHP_VENDOR, a
 * PHP include folder such as Debian's /usr/share/php. Same step protocol as php_sdk.php.
 */

error_reporting(E_ALL & ~E_DEPRECATED);

$vendor = rtrim((string)getenv('ALTAPAY_API_PHP_VENDOR'), '/');
foreach (array(
    'GuzzleHttp/autoload.php',
    'Symfony/Component/OptionsResolver/autoload.php',
    'Symfony/Component/EventDispatcher/autoload.php',
) as $autoload) {
    require_once $vendor.'/'.$autoload;
}
$source = rtrim((string)getenv('ALTAPAY_API_PHP_DIR'), '/').'/src/';
spl_autoload_register(function ($class) use ($source) {
    if (strpos($class, 'Altapay\\') === 0) {
        $file = $source.str_replace('\\', '/', substr($class, strlen('Altapay\\'))).'.php';
        if (is_file($file)) {
            require_once $file;
        }
    }
});

use Altapay\Api\Ecommerce\Callback;
use Altapay\Api\Ecommerce\PaymentRequest;
use Altapay\Api\Others\Payments;
use Altapay\Api\Others\Terminals;
use Altapay\Api\Payments\CaptureReservation;
use Altapay\Api\Payments\RefundCapturedReservation;
use Altapay\Api\Payments\UpdateOrder;
use Altapay\Api\Payments\ReleaseReservation;
use Altapay\Api\Subscription\ChargeSubscription;
use Altapay\Api\Subscription\ReserveSubscriptionCharge;
use Altapay\Api\Test\TestAuthentication;
use Altapay\Api\Test\TestConnection;
use Altapay\Authentication;
use Altapay\Request\Config;
use Altapay\Request\OrderLine;

/** The fields the test asserts on. */
function summary($transaction)
{
    return array(
        'transactionId'  => (string)$transaction->TransactionId,
        'authType'       => (string)$transaction->AuthType,
        'status'         => (string)$transaction->TransactionStatus,
        'reservedAmount' => (string)$transaction->ReservedAmount,
        'capturedAmount' => (string)$transaction->CapturedAmount,
        'refundedAmount' => (string)$transaction->RefundedAmount,
    );
}

/** An operation's answer: Result and its transactions. */
function answer($response)
{
    return array(
        'result'       => (string)$response->Result,
        'transactions' => array_map('summary', is_array($response->Transactions) ? $response->Transactions : array()),
    );
}

$config = json_decode((string)getenv('ALTAPAY_DRIVER_CONFIG'), true);
$steps = json_decode(stream_get_contents(STDIN), true);
$auth = new Authentication($config['account'], $config['password'], $config['url']);
$results = array();

foreach ($steps as $step) {
    $op = $step['op'];
    $args = isset($step['args']) ? $step['args'] : array();
    try {
        switch ($op) {
        case 'login':
            $value = array('answer' => (new TestAuthentication($auth))->call());
            break;
        case 'test_connection':
            $value = array('answer' => (new TestConnection($config['url']))->call());
            break;
        case 'create':
            $callbacks = new Config();
            $callbacks->setCallbackOk($args['config']['callback_ok']);
            $callbacks->setCallbackFail($args['config']['callback_fail']);
            $callbacks->setCallbackOpen($args['config']['callback_open']);
            $callbacks->setCallbackNotification($args['config']['callback_notification']);
            $request = new PaymentRequest($auth);
            $request->setTerminal($args['terminal'])
                ->setShopOrderId($args['shop_orderid'])
                ->setAmount($args['amount'])
                ->setCurrency($args['currency'])
                ->setType($args['type'])
                ->setConfig($callbacks);
            $created = $request->call();
            $value = array('result' => $created->Result, 'paymentRequestId' => trim((string)$created->PaymentRequestId));
            break;
        case 'find':
            $request = new Payments($auth);
            foreach ($args as $name => $filter) {
                if ($name === 'transaction_id') {
                    $request->setTransaction($filter);
                } elseif ($name === 'shop_orderid') {
                    $request->setShopOrderId($filter);
                } elseif ($name === 'terminal') {
                    $request->setTerminal($filter);
                }
            }
            $value = array_map('summary', $request->call());
            break;
        case 'capture':
        case 'refund':
        case 'release':
        case 'charge_subscription':
        case 'reserve_subscription_charge':
            $classes = array(
                'capture'                     => CaptureReservation::class,
                'refund'                      => RefundCapturedReservation::class,
                'release'                     => ReleaseReservation::class,
                'charge_subscription'         => ChargeSubscription::class,
                'reserve_subscription_charge' => ReserveSubscriptionCharge::class,
            );
            $request = new $classes[$op]($auth);
            $request->setTransaction($args['transaction_id']);
            if (isset($args['amount'])) {
                $request->setAmount($args['amount']);
            }
            $value = answer($request->call());
            break;
        case 'update_order':
            $request = new UpdateOrder($auth);
            $request->setPaymentId($args['payment_id']);
            // Required by api-php's UpdateOrder (its newer contract): the order's amount.
            $request->setAmount(12.5);
            $lines = array();
            foreach ($args['order_lines'] as $line) {
                $lines[] = new OrderLine($line['description'], $line['itemId'], $line['quantity'], $line['unitPrice']);
            }
            $request->setOrderLines($lines);
            $value = array('success' => $request->call()->Result === 'Success');
            break;
        case 'terminals':
            $value = array();
            foreach ((new Terminals($auth))->call()->Terminals as $terminal) {
                $value[] = (string)$terminal->Title;
            }
            break;
        case 'parse_callback':
            // The plugins hand the posted fields to Callback as they arrive.
            $parsed = (new Callback($args['fields']))->call();
            $first = is_array($parsed->Transactions) ? reset($parsed->Transactions) : false;
            $events = $first !== false && is_array($first->ChargebackEvents) ? $first->ChargebackEvents : array();
            $value = answer($parsed) + array(
                'shopOrderId'   => $parsed->shopOrderId,
                'transactionId' => $parsed->transactionId,
                'status'        => $parsed->status,
                // Its ChargebackEvent embed declares no properties, so it keeps none of an event's values: only how many there are.
                'chargebacks'   => count($events),
            );
            break;
        default:
            throw new Exception('unknown step: '.$op);
        }
        $results[] = array('op' => $op, 'ok' => true, 'value' => $value);
    } catch (Throwable $error) {
        $results[] = array('op' => $op, 'ok' => false, 'error' => array('type' => get_class($error), 'message' => $error->getMessage()));
    }
}

echo json_encode($results);
