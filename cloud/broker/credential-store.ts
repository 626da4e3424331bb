import { type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import type { CounterSink } from '../monitoring/counters.ts';
import {
  type CredentialsFile,
  credentialOf,
  type GatewayCredential,
  readCredentials,
} from './credentials.ts';

export interface CredentialStoreOptions {
  log: Logger;
  counters: CounterSink;
  /** How often the file is checked when no change notification arrives (a fallback for fs.watch). */
  pollMs?: number;
  /** Change notifications are gathered for this long before the file is read. */
  debounceMs?: number;
}

/** What identifies one version of the file on disk; provisioning replaces it by a rename (a new inode). */
async function versionOf(path: string): Promise<string> {
  return stat(path).then(
    (s) => `${s.ino}:${s.mtimeMs}:${s.size}`,
    () => 'missing',
  );
}

/**
 * The broker's view of the credentials file (written by `npm run provision`, another process). It is
 * read again when it changes on disk: soon after a change notification (fs.watch on its folder,
 * debounced), every `pollMs` in case a notification is missed, and before each authentication. A
 * file that fails validation is refused with its reason logged and counted, and the last good
 * version stays in force. Each new version is handed to the `onChange` given to `start`.
 */
export class CredentialStore {
  private readonly path: string;
  private readonly options: Required<CredentialStoreOptions>;
  private file?: CredentialsFile;
  private loadedVersion?: string;
  private refusedVersion?: string;
  /** Loads run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private onChange: (file: CredentialsFile) => void = () => undefined;
  private watcher?: FSWatcher;
  private poller?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;

  constructor(path: string, options: CredentialStoreOptions) {
    this.path = path;
    this.options = { pollMs: 2_000, debounceMs: 100, ...options };
  }

  /** Loads the file (rejects, naming it, if it is invalid) and follows its changes from then on. */
  async start(onChange: (file: CredentialsFile) => void): Promise<void> {
    await this.refresh();
    this.onChange = onChange;
    const { log, pollMs, debounceMs } = this.options;
    const soon = () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.refresh(), debounceMs);
    };
    try {
      this.watcher = watch(dirname(this.path), (_event, name) => {
        if (name === null || name === basename(this.path)) soon();
      });
      this.watcher.on('error', (error) => {
        log.warn(
          { path: this.path, err: error.message },
          `credentials folder not watched; checked every ${pollMs} ms`,
        );
        this.watcher?.close();
      });
    } catch (error) {
      log.warn(
        { path: this.path, err: (error as Error).message },
        `credentials folder not watched; checked every ${pollMs} ms`,
      );
    }
    this.poller = setInterval(() => void this.refresh(), pollMs);
  }

  stop(): void {
    this.watcher?.close();
    clearInterval(this.poller);
    clearTimeout(this.debounce);
  }

  /** One gateway's credential as the file on disk says now (or its last good version). */
  async credential(gateway: string): Promise<GatewayCredential | undefined> {
    return credentialOf(await this.refresh(), gateway);
  }

  /** The version in force, without reading the disk; empty before the first load. */
  get current(): CredentialsFile {
    return this.file ?? { gateways: {} };
  }

  /** Reads the file if it changed; rejects only when no valid version was ever loaded. */
  refresh(): Promise<CredentialsFile> {
    const next = this.queue.then(() => this.load());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<CredentialsFile> {
    const version = await versionOf(this.path);
    if (this.file && (version === this.loadedVersion || version === this.refusedVersion)) return this.file;
    let file: CredentialsFile;
    try {
      file = await readCredentials(this.path);
    } catch (error) {
      if (!this.file) throw error;
      this.refusedVersion = version;
      this.options.counters.add('credentials_file_refused');
      this.options.log.error(
        { path: this.path, err: (error as Error).message },
        'credentials file refused; the previous credentials stay in force',
      );
      return this.file;
    }
    const first = this.file === undefined;
    this.file = file;
    this.loadedVersion = version;
    if (!first) this.onChange(file);
    return file;
  }
}
