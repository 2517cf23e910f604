/**
 * Generated cases per property. 10,000 in the suite (the reliability bar); PROPERTY_RUNS lowers it for
 * a quick local loop or raises it for a soak.
 */
export const propertyRuns = Number(process.env.PROPERTY_RUNS ?? 10_000);
