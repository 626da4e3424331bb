import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  credentialOf,
  hashSecret,
  issueCredential,
  pinCertificate,
  readCredentials,
  revokeCredential,
  secretOpens,
  setSecretHash,
  writeCredentials,
} from '../cloud/broker/credentials.ts';
import { loadCloudConfig } from '../cloud/config.ts';
import { gatewayId } from '../shared/ids.ts';
import { ownerFrom } from './provision-owner.ts';
import { credentialsOverQuota, gatewayQuotaOf } from './provision-quota.ts';
import { tokenCommand, tokenUsage } from './provision-tokens.ts';
import { userCommand, userUsage } from './provision-users.ts';

/**
 * Gateway credentials, in the file the broker reads (CREDENTIALS_FILE, default under DATA_DIR):
 *   npm run provision -- gateway add <id>      creates a credential and prints the secret once
 *   npm run provision -- gateway rotate <id>   replaces the secret (the old one stops working)
 *   npm run provision -- gateway revoke <id>   the gateway can no longer connect, with its secret or
 *                                              its certificate; its open connections are closed
 *   npm run provision -- gateway cert <id> <cert.pem>
 *                                              pins the client certificate the gateway presents under
 *                                              mutual TLS (MQTT_TLS_CA): its SHA-256 fingerprint; the
 *                                              CN must be the gateway id. Run again to replace it
 *   GATEWAY_SECRET=... npm run provision -- gateway set <id>
 *                                              stores the given secret's hash (never prints it):
 *                                              for deployments whose secrets come from elsewhere
 *                                              (docker-compose's .env); creates, replaces or
 *                                              re-enables the credential, and leaves it untouched
 *                                              if it already holds this secret
 *   npm run provision -- gateway list          ids, creation time, pinned certificate, revoked or
 *                                              not (never secrets)
 *   npm run provision -- token add <name> <role> | token list | token revoke <id>   API tokens
 *   npm run provision -- user add <username> --role <role> [--password-file F] | user disable <username>
 *                        | user reset <username> [--password-file F] | user list            console users
 * Gateways, tokens and users belong to a tenant: `--tenant <id>` (the default tenant without it);
 * tokens and users of the region itself take `--region` (with `--grants a,b` for those that are not
 * region staff, i.e. not admin).
 * The running cloud picks up changes within seconds, without a restart: a gateway whose credential
 * is revoked, or whose secret or certificate is replaced, is disconnected.
 */
const usage =
  'usage: npm run provision -- gateway add|rotate|revoke|set <gateway-id> | gateway cert <gateway-id> <cert.pem>\n' +
  "       | gateway list   [--tenant <id>: the gateway's tenant, the default tenant without it]\n" +
  '       (set takes the secret from the environment variable GATEWAY_SECRET)';
/** Shortest secret `gateway set` accepts; `add` and `rotate` generate 32 characters. */
const minSecretLength = 16;
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    role: { type: 'string' },
    'password-file': { type: 'string' },
    tenant: { type: 'string' },
    region: { type: 'boolean' },
    grants: { type: 'string' },
  },
});
const [noun, verb, id, ...rest] = positionals;
const config = loadCloudConfig();
const { CREDENTIALS_FILE: path } = config;
const owner = ownerFrom(values);

/** Refuses a new credential (not a rotation) past the tenant's gateway quota, when the platform's tenant store knows it. */
async function checkGatewayQuota(tenant: string, gateway: string): Promise<void> {
  const file = await readCredentials(path);
  const entry = credentialOf(file, gateway);
  if (entry && !entry.revoked) return;
  const quota = await gatewayQuotaOf(config, tenant);
  const over = quota === undefined ? undefined : credentialsOverQuota(file, tenant, quota);
  if (over) throw new Error(`gateway ${gateway} not added: ${over}`);
}

async function main(): Promise<void> {
  if (noun === 'token')
    return tokenCommand(
      config,
      verb,
      [id, ...rest].filter((a): a is string => a !== undefined),
      owner,
    );
  if (noun === 'user')
    return userCommand(
      config,
      verb,
      [id, ...rest].filter((a): a is string => a !== undefined),
      values,
      owner,
    );
  if (noun !== 'gateway') throw new Error(`${usage}\n       ${tokenUsage}\n       ${userUsage}`);
  if (verb === 'list') {
    const file = await readCredentials(path);
    for (const [name, entry] of Object.entries(file.gateways)) {
      const certificate = entry.certFingerprint ? `\tcertificate SHA-256 ${entry.certFingerprint}` : '';
      console.log(
        `${name}\ttenant ${entry.tenant}\tcreated ${entry.createdAt}${certificate}${entry.revoked ? '\tREVOKED' : ''}`,
      );
    }
    return;
  }
  const parsed = gatewayId.safeParse(id);
  if (!parsed.success)
    throw new Error(`gateway id: ${parsed.error.issues[0]?.message ?? 'missing'}\n${usage}`);
  const existing = credentialOf(await readCredentials(path), parsed.data);
  if (verb === 'add' || verb === 'rotate') {
    if (verb === 'add' && existing && !existing.revoked)
      throw new Error(`${parsed.data} already has a credential; use rotate`);
    if (verb === 'rotate' && !existing) throw new Error(`${parsed.data} has no credential; use add`);
    if (owner.tenant === null) throw new Error('a gateway belongs to a tenant: --tenant <id>, not --region');
    await checkGatewayQuota(owner.tenant, parsed.data);
    const secret = await issueCredential(path, parsed.data, new Date(), owner.tenant);
    console.log(
      `gateway ${parsed.data}: secret (shown once, stored only as an scrypt hash in ${path}):\n${secret}`,
    );
    return;
  }
  if (verb === 'set') {
    // The secret comes from the environment, never from argv (visible in ps) and is never printed.
    const secret = process.env.GATEWAY_SECRET ?? '';
    if (secret.length < minSecretLength)
      throw new Error(
        `GATEWAY_SECRET must hold the gateway's secret, at least ${minSecretLength} characters` +
          ` (it has ${secret.length})`,
      );
    if (await secretOpens(existing, secret)) {
      console.log(`gateway ${parsed.data}: credential unchanged`);
      return;
    }
    if (owner.tenant === null) throw new Error('a gateway belongs to a tenant: --tenant <id>, not --region');
    await checkGatewayQuota(owner.tenant, parsed.data);
    const file = await readCredentials(path);
    setSecretHash(file, parsed.data, await hashSecret(secret), new Date(), owner.tenant);
    await writeCredentials(path, file);
    console.log(
      `gateway ${parsed.data}: credential ${existing ? 'replaced' : 'stored'} (scrypt hash only, in ${path})`,
    );
    return;
  }
  if (verb === 'cert') {
    const [certificatePath] = rest;
    if (!certificatePath) throw new Error(usage);
    const fingerprint = await pinCertificate(path, parsed.data, await readFile(certificatePath));
    console.log(`gateway ${parsed.data}: client certificate pinned (SHA-256 ${fingerprint})`);
    return;
  }
  if (verb === 'revoke') {
    if (!(await revokeCredential(path, parsed.data))) throw new Error(`${parsed.data} has no credential`);
    console.log(`gateway ${parsed.data}: credential revoked`);
    return;
  }
  throw new Error(usage);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(2);
});
