import { secretArnVariables } from '../functions/runtime/settings';

/**
 * The four Secrets Manager secrets, one per audience, so each function can be given exactly the ones it
 * reads. The ARN variables and JSON fields are the contract with `functions/runtime/settings.ts`
 * (`secretSources`); `test/infra/deploy.test.ts` runs that code against these shapes.
 */
export interface PaymentSecretSpec {
  /** Appended to `<stack prefix>/`: `AltaPay/altapay/api`. */
  readonly nameSuffix: string;
  /** The environment variable that hands the secret's ARN to a function that may read it. */
  readonly arnVariable: string;
  readonly description: string;
  /** What a merchant puts into it: printed as the description of the secret's name output. */
  readonly hint: string;
  /**
   * What Secrets Manager generates when the secret is created: `template` with `generatedKey` added,
   * `length` letters and digits. Never change these after the first deploy: CloudFormation would replace
   * the secret, and with it the value the merchant set.
   */
  readonly generate: {
    readonly template: Readonly<Record<string, string>>;
    readonly generatedKey: string;
    readonly length: number;
  };
}

export const paymentSecrets = {
  'altapay-api': {
    nameSuffix: 'altapay/api',
    arnVariable: secretArnVariables.altapayApi,
    description: 'AltaPay Merchant API user (create-payment and the worker call the gateway with it)',
    hint:
      'The AltaPay Merchant API user and terminal, as {"username":"...","password":"...","terminal":"..."} (created with a placeholder ' +
      'user SET-ME and a generated password)',
    // The password is only a placeholder: the merchant overwrites both fields with the API user AltaPay issued.
    generate: { template: { username: 'SET-ME' }, generatedKey: 'password', length: 32 },
  },
  'altapay-callback': {
    nameSuffix: 'altapay/callback',
    arnVariable: secretArnVariables.altapayCallback,
    description: "The AltaPay terminal's shared secret, which every callback's checksum is checked against",
    hint:
      'The terminal\'s shared secret, as {"secret":"..."} (add "previousSecret" while rotating): paste the ' +
      "generated one into the AltaPay terminal, or overwrite it with the terminal's",
    // 32 letters and digits: safe to paste into AltaPay's terminal settings, no quoting or escaping needed.
    generate: { template: {}, generatedKey: 'secret', length: 32 },
  },
  'merchant-webhook': {
    nameSuffix: 'merchant/webhook',
    arnVariable: secretArnVariables.merchantWebhook,
    description: "The Standard Webhooks key the worker signs payment events for the merchant's webhook with",
    hint:
      'The Standard Webhooks key payment events to the merchant webhook are signed with, as {"signingKey":"..."}: ' +
      "give the generated one to the merchant's receiving system, or put your own whsec_<base64 of 24+ random bytes>",
    // 48 letters and digits, read as base64, are a 36-byte key (about 285 random bits) every Standard
    // Webhooks library accepts as it is.
    generate: { template: {}, generatedKey: 'signingKey', length: 48 },
  },
  'shop-order': {
    nameSuffix: 'shop/order',
    arnVariable: secretArnVariables.shopOrder,
    description:
      "The shop key the merchant's back end signs orders with; create-payment checks every order against it",
    hint:
      'The shop key orders for POST /payments are signed with, as {"key":"..."} (add "previousKey" while rotating): ' +
      "give the generated one to the shop's back end (its SHOP_ORDER_KEY), or put your own of 32+ characters, " +
      'e.g. openssl rand -hex 32',
    // 64 letters and digits (about 380 random bits), twice the shortest key the settings accept.
    generate: { template: {}, generatedKey: 'key', length: 64 },
  },
} as const satisfies Readonly<Record<string, PaymentSecretSpec>>;

export type PaymentSecretName = keyof typeof paymentSecrets;

export const paymentSecretNames = Object.keys(paymentSecrets) as PaymentSecretName[];
