/**
 * What the simulated acquirer's checks say about every card payment: the fraud service's verdict and
 * the address verification (AVS) result. One definition for the transaction document
 * (`FraudRiskScore`, `AddressVerification`, ...) and the callback form fields (`fraud_risk_score`,
 * `avs_code`, ...), which real callbacks carry side by side.
 */
export const cardChecks = {
  fraudRiskScore: '0',
  fraudExplanation: 'The test fraud service accepts every payment',
  /** One of Accept, Deny, Challenge, Unknown. */
  fraudRecommendation: 'Accept',
  /** `S`: the issuer does not support AVS, as in sdk-python's 200_capture_payment_already_captured.xml. */
  avsCode: 'S',
  avsText: 'AVS not supported',
} as const;
