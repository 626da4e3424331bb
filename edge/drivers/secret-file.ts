import { readFileSync } from 'node:fs';

/**
 * A secret a driver entry names by its file (`passwordFile`), read when the entry's drivers are
 * built: a configuration the cloud keeps and sends carries the path, never the secret. Surrounding
 * whitespace (the file's last newline) is not part of it. `field` names the setting in the error.
 */
export function readSecretFile(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new Error(`${field}: cannot read it: ${(error as Error).message}`);
  }
}
