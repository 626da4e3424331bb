import type { TLSSocket } from 'node:tls';
import type { AuthenticateError, Client } from 'aedes';
import type { Logger } from 'pino';
import type { CounterSink } from '../monitoring/counters.ts';
import { admit, endedBy, type Presented, type Session } from './authentication.ts';
import type { CredentialStore } from './credential-store.ts';
import type { CredentialsFile } from './credentials.ts';
import { loggedId } from './logged-ids.ts';

export function remoteAddress(client: Client): string {
  const conn = client.conn as { remoteAddress?: string } | undefined;
  const req = (client as { req?: { socket?: { remoteAddress?: string } } }).req;
  return conn?.remoteAddress ?? req?.socket?.remoteAddress ?? 'unknown';
}

function authError(message: string, returnCode: 2 | 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/** The client certificate the TLS layer verified (mutual TLS), if the connection has one. */
function verifiedCertificate(client: Client): Presented['certificate'] {
  const socket = client.conn as Partial<TLSSocket>;
  if (!socket.authorized || typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate();
  const cn = peer.subject?.CN;
  return { commonName: Array.isArray(cn) ? cn[0] : cn, fingerprint256: peer.fingerprint256 };
}

export interface GatewaySessionsOptions {
  credentials: CredentialStore;
  /** Mutual TLS: only the pinned client certificate lets a gateway in, whatever the listener. */
  certificateRequired: boolean;
  log: Logger;
  counters: CounterSink;
  /** Why a gateway of `tenant` may not connect now (its tenant is suspended or gone), if it may not. */
  tenantRefusal(tenant: string): string | undefined;
  /**
   * Why this gateway may not connect because its tenant is at its gateway quota, given the tenant's
   * gateways connected now; undefined if it may.
   */
  gatewayOverQuota(tenant: string, gatewayId: string, connected: ReadonlySet<string>): string | undefined;
  /** The tenant's own counters (they add to the installation's), if it is running. */
  countersOf(tenant: string): CounterSink | undefined;
  /** A gateway was let in on this connection. */
  onAccepted(client: Client, session: Session): void;
}

/**
 * Who is connected with which credential: authenticates each CONNECT (aedes' `authenticate` hook)
 * and, when the credentials file changes, ends the connections it no longer admits.
 */
export class GatewaySessions {
  private readonly options: GatewaySessionsOptions;
  /** Open connections and what each was let in with. */
  private readonly sessions = new Map<Client, Session>();

  constructor(options: GatewaySessionsOptions) {
    this.options = options;
  }

  authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, ok: boolean | null) => void,
  ): void {
    const { counters, log, credentials, certificateRequired } = this.options;
    const certificate = verifiedCertificate(client);
    const presented: Presented = {
      clientId: client.id,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      ...(certificate ? { certificate } : {}),
    };
    const refuse = (why: string, code: 2 | 4 | 5, aboutCertificate: boolean) => {
      counters.add('mqtt_auth_refused');
      if (aboutCertificate) counters.add('mqtt_auth_refused_certificate');
      // The client id and username are text the client chose: shown only for a provisioned gateway.
      log.warn(
        {
          clientId: loggedId(client.id, credentials.current),
          username: loggedId(username, credentials.current),
          address: remoteAddress(client),
          certificate: certificate?.fingerprint256,
        },
        `MQTT connection refused: ${why}`,
      );
      done(authError(why, code), false);
    };
    const accept = (session: Session) => {
      // The file may have changed while the secret was checked: the version in force decides.
      const ended = endedBy(session, credentials.current);
      if (ended) return refuse(`credential changed while connecting: ${ended}`, 4, false);
      const closed = this.options.tenantRefusal(session.tenant);
      if (closed) {
        counters.add('mqtt_auth_refused_tenant');
        return refuse(closed, 5, false);
      }
      const over = this.options.gatewayOverQuota(
        session.tenant,
        session.gatewayId,
        this.connectedIdsOf(session.tenant),
      );
      if (over) {
        (this.options.countersOf(session.tenant) ?? counters).add('gateways_over_quota');
        return refuse(over, 5, false);
      }
      this.sessions.set(client, session);
      client.conn.once('close', () => this.sessions.delete(client));
      this.options.onAccepted(client, session);
      done(null, true);
    };
    admit(presented, certificateRequired, (gateway) => credentials.credential(gateway)).then(
      (admission) =>
        'session' in admission
          ? accept(admission.session)
          : refuse(admission.refused.why, admission.refused.returnCode, admission.refused.certificate),
      (error: Error) => {
        log.error(
          { err: error, username: loggedId(username, credentials.current) },
          'credential check failed',
        );
        done(authError('credential store unavailable', 5), false);
      },
    );
  }

  /**
   * A new version of the credentials file is in force: every connection whose gateway is gone or
   * revoked, or whose secret or pinned certificate was replaced, is closed now. aedes stops reading
   * it at once; its last will (given at CONNECT, while it was admitted: "offline") is published as
   * for any connection lost, and the gateway counts as gone.
   */
  endRevoked(file: CredentialsFile): void {
    this.end((session) => endedBy(session, file), 'mqtt_credential_disconnects');
  }

  /** The ids of a tenant's gateways connected now. */
  connectedIdsOf(tenant: string): Set<string> {
    const ids = new Set<string>();
    for (const session of this.sessions.values()) if (session.tenant === tenant) ids.add(session.gatewayId);
    return ids;
  }

  /** Closes the connections of a tenant's gateways (suspended or deleted), with the reason logged. */
  endTenant(tenant: string, why: string): void {
    this.end((session) => (session.tenant === tenant ? why : undefined), 'mqtt_tenant_disconnects');
  }

  private end(endedFor: (session: Session) => string | undefined, counter: string): void {
    const { counters, log } = this.options;
    for (const [client, session] of this.sessions) {
      const ended = endedFor(session);
      if (!ended) continue;
      this.sessions.delete(client);
      counters.add(counter);
      log.warn(
        { gatewayId: session.gatewayId, address: remoteAddress(client) },
        `gateway disconnected: ${ended}`,
      );
      client.close();
    }
  }
}
