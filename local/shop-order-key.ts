/**
 * The shop key of the local stack when SHOP_ORDER_KEY is not set: the demo shop signs its orders with
 * it, and so do the tests and your own experiments (`npm start` prints which key it uses). Public on
 * purpose, in its own file so a script or test can sign without loading the stack; never use it elsewhere.
 */
export const localShopOrderKey = 'local-stack-only-shop-order-key-not-a-secret';
