import { createHash } from 'node:crypto';
import { gatewayId } from '../../shared/ids.ts';
import { type CredentialsFile, credentialOf } from './credentials.ts';

/** Text a client chose, as the logs show it: by its size and a short hash, never as it is. */
export function describedText(text: string): string {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return `(unknown: ${Buffer.byteLength(text)} bytes, sha256 ${hash})`;
}

/**
 * A client id or username as the logs show it: as given when it is a valid gateway id provisioned in
 * the credentials file (one the city gave out), otherwise described by its size and hash, since it
 * is text the client chose and may hold a plate, a MAC address or a name.
 */
export function loggedId(value: string | undefined, file: CredentialsFile): string | undefined {
  if (value === undefined) return undefined;
  const known = gatewayId.safeParse(value).success && credentialOf(file, value) !== undefined;
  return known ? value : describedText(value);
}
