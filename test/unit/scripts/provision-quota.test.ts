import { describe, expect, it } from 'vitest';
import type { CredentialsFile } from '../../../cloud/broker/credentials.ts';
import { credentialsOverQuota } from '../../../scripts/provision-quota.ts';

const entry = (tenant: string, revoked = false) => ({
  hash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==',
  createdAt: '2026-11-30T08:00:00.000Z',
  revoked,
  tenant,
});
const file: CredentialsFile = {
  gateways: {
    'lo-gw-1': entry('loket'),
    'lo-gw-2': entry('loket'),
    'lo-gw-3': entry('loket', true),
    'kv-gw-1': entry('karlovy-vary'),
  },
};

describe('credentialsOverQuota', () => {
  it('lets one more credential in while the live ones are one fewer than the quota', () => {
    expect(credentialsOverQuota(file, 'loket', 3)).toBeUndefined();
  });

  it('refuses when the live credentials are exactly the quota, counting neither revoked ones nor other tenants', () => {
    expect(credentialsOverQuota(file, 'loket', 2)).toBe(
      'tenant loket has 2 live gateway credentials and its quota is 2 gateways: raise it (PATCH /api/v1/tenants/loket) or revoke one',
    );
    expect(credentialsOverQuota(file, 'karlovy-vary', 2)).toBeUndefined();
  });
});
