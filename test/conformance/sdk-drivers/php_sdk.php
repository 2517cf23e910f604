<?php
/**
 * Drives AltaPay's sdk-php against the gateway simulator (test/conformance/altapay-sdks.test.ts).
 *
 * Our own code: it loads the SDK from the checkout named by ALTAPAY_SDK_PHP_DIR and uses it as a
 * merchant would, with its defaults (AltapayMerchantAPI over cURL, then login()). Reads a JSON array of
 * steps ({"op": ..., "args": {...}}) on stdin and prints one JSON array of results ({"op", "ok",
 * "value"} or {"op", "ok": false, "error": {"type", "message"}}) on stdout.
 */

error_reporting(E_ALL & ~E_DEPRECATED);

// The SDK has no autoloader of its own outside Composer: map each class to its file.
$sdkLib = rtrim((string)getenv('ALTAPAY_SDK_PHP_DIR'), '/').'/lib';
$classFiles = array();
$files = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($sdkLib));
foreach ($files as $file) {
    if (preg_match('/^(\w+)\.class\.php$/', $file->getFilename(), $match)) {
        $classFiles[$match[1]] = $file->getPathname();
    }
}
spl_autoload_register(function ($class) use ($classFiles) {
    if (isset($classFiles[$class])) {
        require_once $classFiles[$class];
    }
});

/** The fields the test asserts on. */
function summary(AltapayAPIPayment $payment)
{
    return array(
        'transactionId'   => $payment->getId(),
        'authType'        => $payment->getAuthType(),
        'status'          => $payment->getCurrentStatus(),
        'reservedAmount'  => (string)$payment->getReservedAmount(),
        'capturedAmount'  => (string)$payment->getCapturedAmount(),
        'refundedAmount'  => (string)$payment->getRefundedAmount(),
        'avs'             => $payment->getAddressVerification(),
        'fraudRecommendation' => $payment->getFraudRecommendation(),
    );
}

/** A payment response: whether the SDK calls it successful, and its transactions. */
function answer(AltapayAbstractPaymentResponse $response)
{
    return array(
        'successful'   => $response->wasSuccessful(),
        'errorCode'    => $response->getErrorCode(),
        'transactions' => array_map('summary', $response->getPayments()),
    );
}

$config = json_decode((string)getenv('ALTAPAY_DRIVER_CONFIG'), true);
$steps = json_decode(stream_get_contents(STDIN), true);
$api = new AltapayMerchantAPI($config['url'], $config['account'], $config['password']);
$results = array();

foreach ($steps as $step) {
    $op = $step['op'];
    $args = isset($step['args']) ? $step['args'] : array();
    try {
        switch ($op) {
        case 'login':
            $login = $api->login();
            $value = array('successful' => $login->wasSuccessful(), 'connected' => $api->isConnected());
            break;
        case 'create':
            $created = $api->createPaymentRequest(
                $args['terminal'],
                $args['shop_orderid'],
                $args['amount'],
                $args['currency'],
                isset($args['type']) ? $args['type'] : null,
                null,
                null,
                null,
                $args['config']
            );
            $value = array('successful' => $created->wasSuccessful(), 'url' => $created->getRedirectURL());
            break;
        case 'find':
            $found = $api->getPayment($args['transaction'], isset($args['filters']) ? $args['filters'] : array());
            $value = array('successful' => $found->wasSuccessful(), 'transactions' => array_map('summary', $found->getPayments()));
            break;
        case 'capture':
            $value = answer($api->captureReservation($args['transaction_id'], isset($args['amount']) ? $args['amount'] : null));
            break;
        case 'refund':
            $value = answer($api->refundCapturedReservation($args['transaction_id'], isset($args['amount']) ? $args['amount'] : null));
            break;
        case 'release':
            $value = answer($api->releaseReservation($args['transaction_id']));
            break;
        case 'charge_subscription':
            $value = answer($api->chargeSubscription($args['transaction_id'], $args['amount']));
            break;
        case 'reserve_subscription_charge':
            $value = answer($api->reserveSubscriptionCharge($args['transaction_id'], $args['amount']));
            break;
        case 'update_order':
            $updated = $api->updateOrder($args['payment_id'], $args['order_lines']);
            $value = array('success' => $updated->wasSuccessful());
            break;
        case 'terminals':
            $terminals = $api->getTerminals();
            $value = array();
            foreach ($terminals->getTerminals() as $terminal) {
                $value[] = array('title' => $terminal->getTitle(), 'takesDkk' => $terminal->hasCurrency('DKK'));
            }
            break;
        case 'funding_list':
            $list = $api->getFundingList();
            $value = array('pages' => $list->getNumberOfPages(), 'fundings' => count($list->getFundings()));
            break;
        case 'parse_callback':
            $handler = new AltapayCallbackHandler();
            $parsed = $handler->parseXmlResponse($args['xml']);
            $value = array('class' => get_class($parsed)) + answer($parsed);
            break;
        default:
            throw new Exception('unknown step: '.$op);
        }
        $results[] = array('op' => $op, 'ok' => true, 'value' => $value);
    } catch (Exception $error) {
        $results[] = array('op' => $op, 'ok' => false, 'error' => array('type' => get_class($error), 'message' => $error->getMessage()));
    }
}

echo json_encode($results);
