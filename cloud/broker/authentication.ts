import { type CredentialsFile, credentialOf, type GatewayCredential, secretOpens } from './credentials.ts';

/** What a connecting client presented at CONNECT. */
export interface Presented {
  clientId: string;
  username?: string;
  password?: Buffer;
  /** The client certificate the TLS layer verified against MQTT_TLS_CA, if the connection has one. */
  certificate?: { commonName?: string; fingerprint256: string };
}

/** What a connection was let in with; checked again each time the credentials file changes. */
export interface Session {
  gatewayId: string;
  /** The tenant its credential gives it to: everything it sends lands there, and only there. */
  tenant: string;
  /** The secret hash the password was checked against, if a password was sent. */
  secretHash?: string;
  /** The fingerprint of the certificate presented, under mutual TLS. */
  certFingerprint?: string;
}

export interface Refusal {
  /** Logged: ids and reasons only, never what was presented as a password. */
  why: string;
  /** CONNACK return code: 2 identifier rejected, 4 bad username or password, 5 not authorised. */
  returnCode: 2 | 4 | 5;
  /** The refusal is about the client certificate (missing, for another gateway, not the pinned one). */
  certificate: boolean;
}

export type Admission = { session: Session } | { refused: Refusal };

const refuse = (why: string, returnCode: 2 | 4 | 5, certificate = false): Admission => ({
  refused: { why, returnCode, certificate },
});

/**
 * Decides whether a gateway may connect. A gateway is let in only with a live (not revoked)
 * credential; under mutual TLS (`certificateRequired`) only with the certificate pinned in it,
 * whichever listener it came through; a password that is sent is always checked.
 */
export async function admit(
  presented: Presented,
  certificateRequired: boolean,
  credentialOfGateway: (gateway: string) => Promise<GatewayCredential | undefined>,
): Promise<Admission> {
  const { clientId, username, password, certificate } = presented;
  if (!username) return refuse('a username (the gateway id) is required', 4);
  if (clientId !== username) return refuse('client id must equal the gateway id', 2);
  if (certificateRequired && !certificate)
    return refuse('a client certificate is required (mutual TLS): connect to the TLS listener', 5, true);
  if (certificate && certificate.commonName !== username)
    return refuse(`certificate is for ${certificate.commonName ?? 'no CN'}`, 5, true);
  if (!certificate && !password) return refuse('a password (the gateway secret) is required', 4);
  const entry = await credentialOfGateway(username);
  const code = certificate ? 5 : 4;
  if (!entry) return refuse('no credential is provisioned for this gateway', code);
  if (entry.revoked) return refuse("the gateway's credential is revoked", code);
  if (certificate) {
    if (entry.certFingerprint === undefined)
      return refuse('no certificate is pinned for this gateway (provision -- gateway cert)', 5, true);
    if (entry.certFingerprint !== certificate.fingerprint256)
      return refuse('the certificate is not the one pinned for this gateway', 5, true);
  }
  if (password && !(await secretOpens(entry, password.toString('utf8'))))
    return refuse('bad gateway secret', 4);
  return {
    session: {
      gatewayId: username,
      tenant: entry.tenant,
      ...(password ? { secretHash: entry.hash } : {}),
      ...(certificate ? { certFingerprint: certificate.fingerprint256 } : {}),
    },
  };
}

/**
 * Why a session may no longer stay connected under this version of the credentials file, or
 * undefined if it may: its gateway is gone or revoked, or what it connected with was replaced.
 */
export function endedBy(session: Session, file: CredentialsFile): string | undefined {
  const entry = credentialOf(file, session.gatewayId);
  if (!entry) return 'its credential was removed';
  if (entry.revoked) return 'its credential was revoked';
  if (entry.tenant !== session.tenant) return 'it was given to another tenant';
  if (session.secretHash !== undefined && entry.hash !== session.secretHash) return 'its secret was replaced';
  if (session.certFingerprint !== undefined && entry.certFingerprint !== session.certFingerprint)
    return 'its pinned certificate was replaced';
  return undefined;
}
