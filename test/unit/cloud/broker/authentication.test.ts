import { beforeAll, describe, expect, it } from 'vitest';
import { admit, endedBy, type Presented, type Session } from '../../../../cloud/broker/authentication.ts';
import { type GatewayCredential, hashSecret } from '../../../../cloud/broker/credentials.ts';

const pinned = `AB:${Array.from({ length: 31 }, () => 'CD').join(':')}`;
const other = `01:${Array.from({ length: 31 }, () => '23').join(':')}`;
const createdAt = '2026-11-29T00:00:00.000Z';
let secretHash: string;
let credentials: Record<string, GatewayCredential>;

beforeAll(async () => {
  secretHash = await hashSecret('the-right-secret');
  credentials = {
    'gw-secret': { hash: secretHash, createdAt, revoked: false, tenant: 'default' },
    'gw-cert': { certFingerprint: pinned, createdAt, revoked: false, tenant: 'default' },
    'gw-both': { hash: secretHash, certFingerprint: pinned, createdAt, revoked: false, tenant: 'default' },
    'gw-revoked': { hash: secretHash, certFingerprint: pinned, createdAt, revoked: true, tenant: 'default' },
  };
});

const lookup = async (gateway: string) =>
  Object.hasOwn(credentials, gateway) ? credentials[gateway] : undefined;
const password = (text: string) => Buffer.from(text);
const certificate = (commonName: string, fingerprint256 = pinned) => ({ commonName, fingerprint256 });
const as = (gateway: string, extra: Partial<Presented> = {}): Presented => ({
  clientId: gateway,
  username: gateway,
  ...extra,
});

async function refusal(presented: Presented, certificateRequired = false) {
  const admission = await admit(presented, certificateRequired, lookup);
  return 'refused' in admission ? admission.refused : undefined;
}

describe('admit, without mutual TLS', () => {
  it('lets a gateway in with its secret and remembers the hash it was checked against', async () => {
    expect(await admit(as('gw-secret', { password: password('the-right-secret') }), false, lookup)).toEqual({
      session: { gatewayId: 'gw-secret', tenant: 'default', secretHash },
    });
  });

  it('refuses a wrong or missing secret, an unknown or revoked gateway, a client id not its own', async () => {
    expect(await refusal(as('gw-secret', { password: password('wrong') }))).toMatchObject({ returnCode: 4 });
    expect(await refusal(as('gw-secret'))).toMatchObject({ returnCode: 4, why: /password/ });
    expect(await refusal(as('gw-never', { password: password('the-right-secret') }))).toMatchObject({
      returnCode: 4,
      why: /no credential/,
    });
    expect(await refusal(as('gw-revoked', { password: password('the-right-secret') }))).toMatchObject({
      returnCode: 4,
      why: /revoked/,
    });
    expect(
      await refusal({ clientId: 'gw-other', username: 'gw-secret', password: password('the-right-secret') }),
    ).toMatchObject({ returnCode: 2 });
    expect(await refusal({ clientId: 'x' })).toMatchObject({ returnCode: 4, why: /username/ });
  });

  it('never lets in a gateway named after an inherited object property', async () => {
    expect(await refusal(as('constructor', { password: password('x') }))).toMatchObject({
      why: /no credential/,
    });
  });
});

describe('admit, under mutual TLS', () => {
  it('lets a gateway in with the certificate pinned for it, with or without its secret', async () => {
    expect(await admit(as('gw-cert', { certificate: certificate('gw-cert') }), true, lookup)).toEqual({
      session: { gatewayId: 'gw-cert', tenant: 'default', certFingerprint: pinned },
    });
    const both = as('gw-both', {
      certificate: certificate('gw-both'),
      password: password('the-right-secret'),
    });
    expect(await admit(both, true, lookup)).toEqual({
      session: { gatewayId: 'gw-both', tenant: 'default', secretHash, certFingerprint: pinned },
    });
  });

  it('refuses a gateway without a certificate, whatever password it sends (plain and WebSocket listeners)', async () => {
    expect(await refusal(as('gw-both', { password: password('the-right-secret') }), true)).toMatchObject({
      returnCode: 5,
      certificate: true,
      why: /client certificate is required/,
    });
  });

  it('checks a password that is sent: a wrong one with a valid certificate is refused', async () => {
    const wrong = as('gw-both', { certificate: certificate('gw-both'), password: password('wrong') });
    expect(await refusal(wrong, true)).toMatchObject({ returnCode: 4, why: /bad gateway secret/ });
    const none = as('gw-cert', { certificate: certificate('gw-cert'), password: password('anything') });
    expect(await refusal(none, true)).toMatchObject({ returnCode: 4 });
  });

  it('refuses a revoked or never-provisioned gateway whatever certificate it presents', async () => {
    expect(await refusal(as('gw-revoked', { certificate: certificate('gw-revoked') }), true)).toMatchObject({
      returnCode: 5,
      why: /revoked/,
    });
    expect(await refusal(as('gw-never', { certificate: certificate('gw-never') }), true)).toMatchObject({
      returnCode: 5,
      why: /no credential/,
    });
  });

  it('refuses a certificate that is not the pinned one, none pinned, or one for another gateway', async () => {
    expect(await refusal(as('gw-cert', { certificate: certificate('gw-cert', other) }), true)).toMatchObject({
      certificate: true,
      why: /not the one pinned/,
    });
    expect(await refusal(as('gw-secret', { certificate: certificate('gw-secret') }), true)).toMatchObject({
      certificate: true,
      why: /no certificate is pinned/,
    });
    expect(await refusal(as('gw-cert', { certificate: certificate('gw-both') }), true)).toMatchObject({
      certificate: true,
      why: /certificate is for gw-both/,
    });
  });
});

describe('endedBy', () => {
  const file = (entries: Record<string, GatewayCredential>) => ({ gateways: entries });
  const bySecret: Session = { gatewayId: 'gw-1', tenant: 'default', secretHash: 'scrypt$1$1$1$a$b' };
  const byCertificate: Session = { gatewayId: 'gw-1', tenant: 'default', certFingerprint: pinned };

  it('keeps a session whose credential is unchanged, or changed in what it did not use', () => {
    const entry = {
      hash: 'scrypt$1$1$1$a$b',
      certFingerprint: pinned,
      createdAt,
      revoked: false,
      tenant: 'default',
    };
    expect(endedBy(bySecret, file({ 'gw-1': entry }))).toBeUndefined();
    expect(endedBy(byCertificate, file({ 'gw-1': entry }))).toBeUndefined();
    expect(endedBy(byCertificate, file({ 'gw-1': { ...entry, hash: 'scrypt$1$1$1$c$d' } }))).toBeUndefined();
    expect(endedBy(bySecret, file({ 'gw-1': { ...entry, certFingerprint: other } }))).toBeUndefined();
  });

  it('ends a session whose gateway is removed or revoked, or whose secret or certificate was replaced', () => {
    const entry = {
      hash: 'scrypt$1$1$1$a$b',
      certFingerprint: pinned,
      createdAt,
      revoked: false,
      tenant: 'default',
    };
    expect(endedBy(bySecret, file({}))).toMatch(/removed/);
    expect(endedBy(byCertificate, file({ 'gw-1': { ...entry, revoked: true } }))).toMatch(/revoked/);
    expect(endedBy(bySecret, file({ 'gw-1': { ...entry, hash: 'scrypt$1$1$1$c$d' } }))).toMatch(/secret/);
    expect(endedBy(byCertificate, file({ 'gw-1': { ...entry, certFingerprint: other } }))).toMatch(
      /certificate/,
    );
    expect(
      endedBy(
        byCertificate,
        file({ 'gw-1': { hash: 'scrypt$1$1$1$a$b', createdAt, revoked: false, tenant: 'default' } }),
      ),
    ).toMatch(/certificate/);
  });

  it('ends a session whose gateway was given to another tenant', () => {
    const entry = { hash: 'scrypt$1$1$1$a$b', createdAt, revoked: false, tenant: 'default' };
    expect(endedBy(bySecret, file({ 'gw-1': entry }))).toBeUndefined();
    expect(endedBy(bySecret, file({ 'gw-1': { ...entry, tenant: 'cheb' } }))).toMatch(/another tenant/);
  });
});
