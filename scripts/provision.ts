import { parseArgs } from 'node:util';
import {
  hashSecret,
  issueCredential,
  readCredentials,
  revokeCredential,
  verifySecret,
  writeCredentials,
} from '../cloud/broker/credentials.ts';
import { loadCloudConfig } from '../cloud/config.ts';
import { gatewayId } from '../shared/ids.ts';
import { tokenCommand, tokenUsage } from './provision-tokens.ts';

/**
 * Gateway credentials, in the file the broker reads (CREDENTIALS_FILE, default under DATA_DIR):
 *   npm run provision -- gateway add <id>      creates a credential and prints the secret once
 *   npm run provision -- gateway rotate <id>   replaces the secret (the old one stops working)
 *   npm run provision -- gateway revoke <id>   the gateway can no longer connect
 *   GATEWAY_SECRET=... npm run provision -- gateway set <id>
 *                                              stores the given secret's hash (never prints it):
 *                                              for deployments whose secrets come from elsewhere
 *                                              (docker-compose's .env); creates, replaces or
 *                                              re-enables the credential, and leaves it untouched
 *                                              if it already holds this secret
 *   npm run provision -- gateway list          ids, creation time, revoked or not (never secrets)
 *   npm run provision -- token add <name> <role> | token list | token revoke <id>   API tokens
 * The broker picks up changes without a restart.
 */
const usage =
  'usage: npm run provision -- gateway add|rotate|revoke|set <gateway-id> | gateway list\n' +
  '       (set takes the secret from the environment variable GATEWAY_SECRET)';
/** Shortest secret `gateway set` accepts; `add` and `rotate` generate 32 characters. */
const minSecretLength = 16;
const { positionals } = parseArgs({ allowPositionals: true });
const [noun, verb, id, ...rest] = positionals;
const { CREDENTIALS_FILE: path, DATA_DIR } = loadCloudConfig();

async function main(): Promise<void> {
  if (noun === 'token')
    return tokenCommand(
      DATA_DIR,
      verb,
      [id, ...rest].filter((a): a is string => a !== undefined),
    );
  if (noun !== 'gateway') throw new Error(`${usage}\n       ${tokenUsage}`);
  if (verb === 'list') {
    const file = await readCredentials(path);
    for (const [name, entry] of Object.entries(file.gateways)) {
      console.log(`${name}\tcreated ${entry.createdAt}${entry.revoked ? '\tREVOKED' : ''}`);
    }
    return;
  }
  const parsed = gatewayId.safeParse(id);
  if (!parsed.success)
    throw new Error(`gateway id: ${parsed.error.issues[0]?.message ?? 'missing'}\n${usage}`);
  const existing = (await readCredentials(path)).gateways[parsed.data];
  if (verb === 'add' || verb === 'rotate') {
    if (verb === 'add' && existing && !existing.revoked)
      throw new Error(`${parsed.data} already has a credential; use rotate`);
    if (verb === 'rotate' && !existing) throw new Error(`${parsed.data} has no credential; use add`);
    const secret = await issueCredential(path, parsed.data);
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
    if (existing && !existing.revoked && (await verifySecret(secret, existing.hash))) {
      console.log(`gateway ${parsed.data}: credential unchanged`);
      return;
    }
    const file = await readCredentials(path);
    file.gateways[parsed.data] = {
      hash: await hashSecret(secret),
      createdAt: new Date().toISOString(),
      revoked: false,
    };
    await writeCredentials(path, file);
    console.log(
      `gateway ${parsed.data}: credential ${existing ? 'replaced' : 'stored'} (scrypt hash only, in ${path})`,
    );
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
