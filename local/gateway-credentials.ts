/**
 * The local AltaPay simulator's API user unless ALTAPAY_API_USERNAME / ALTAPAY_API_PASSWORD say
 * otherwise: the local stack configures the simulator with it, and `npm run payments -- reconcile`
 * calls the simulator with it. Not a secret: it opens nothing but the simulator.
 */
export const localGatewayCredentials = { username: 'shop-api', password: 'local-password' } as const;
