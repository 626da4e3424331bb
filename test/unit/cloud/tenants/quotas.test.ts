import { describe, expect, it } from 'vitest';
import { gatewayOverQuota, gatewaysInUse } from '../../../../cloud/tenants/quotas.ts';

const heldOf = (...ids: string[]) => ({ has: (id: string) => ids.includes(id), count: ids.length });

describe('gatewaysInUse', () => {
  it('counts the gateways held and the connected ones not held, each once', () => {
    expect(gatewaysInUse(heldOf('a', 'b'), new Set())).toBe(2);
    expect(gatewaysInUse(heldOf('a', 'b'), new Set(['b', 'c']))).toBe(3);
    expect(gatewaysInUse(heldOf(), new Set(['c']))).toBe(1);
  });
});

describe('gatewayOverQuota', () => {
  const ask = (gatewayId: string, quota: number, held: string[], connected: string[]) =>
    gatewayOverQuota({
      tenant: 'loket',
      gatewayId,
      quota,
      held: heldOf(...held),
      connected: new Set(connected),
    });

  it('lets a new gateway in while the gateways in use are one fewer than the quota', () => {
    expect(ask('new', 3, ['a'], ['b'])).toBeUndefined();
  });

  it('refuses a new gateway when the gateways in use are exactly the quota, saying so', () => {
    expect(ask('new', 2, ['a'], ['b'])).toBe('tenant loket is at its quota of 2 gateways (2 in use)');
    expect(ask('new', 2, ['a', 'b'], ['a'])).toBe('tenant loket is at its quota of 2 gateways (2 in use)');
  });

  it('always lets in a gateway the registry holds, or one connected already (a takeover), even over the quota', () => {
    expect(ask('a', 1, ['a', 'b'], [])).toBeUndefined();
    expect(ask('c', 1, ['a'], ['c'])).toBeUndefined();
  });

  it('lets no new gateway in under a quota of 0', () => {
    expect(ask('new', 0, [], [])).toBe('tenant loket is at its quota of 0 gateways (0 in use)');
  });
});
