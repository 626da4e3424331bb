/**
 * Reconnect delays: exponential growth with "equal jitter" (half fixed, half random), so a fleet of
 * gateways that lost the broker at the same moment does not reconnect in lockstep.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
