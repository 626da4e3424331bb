import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { oneLine } from '../shared/ids.ts';
import { describeIssues } from '../shared/issues.ts';
import { type ConfigStatus, type GatewayConfig, gatewayConfig } from '../shared/messages.ts';
import { parseStrictJson } from '../shared/strict-json.ts';
import { EdgeConfigError, fieldPaths } from './config.ts';

export interface RemoteConfigOptions {
  gatewayId: string;
  /** Where the applied configuration is kept, so it survives a restart. */
  path: string;
  log: Logger;
  now: () => Date;
  /** Puts the configuration in force; an EdgeConfigError refuses it (nothing of it applied). */
  apply(config: GatewayConfig): void;
  sendStatus(status: ConfigStatus): void;
}

/**
 * The configuration the cloud pushes to a gateway (retained on `.../config`): a higher version than
 * the one in force is applied, saved and confirmed; the same or a lower version is ignored, since the
 * retained message comes again on every connect. One the agent cannot run (a driver entry its
 * factory refuses) is rejected with the fields at fault, and the one in force stays.
 */
export class RemoteConfig {
  private readonly options: RemoteConfigOptions;
  private current?: GatewayConfig;

  constructor(options: RemoteConfigOptions) {
    this.options = options;
  }

  get version(): number {
    return this.current?.version ?? 0;
  }

  /** Applies the configuration saved by an earlier run, if any. */
  restore(): void {
    if (!existsSync(this.options.path)) return;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(this.options.path, 'utf8'));
    } catch {
      json = undefined;
    }
    const saved = gatewayConfig.safeParse(json);
    if (!saved.success) {
      this.options.log.warn({ path: this.options.path }, 'saved remote configuration is invalid; ignored');
      return;
    }
    try {
      this.options.apply(saved.data);
    } catch (error) {
      if (!(error instanceof EdgeConfigError)) throw error;
      this.options.log.warn(
        { path: this.options.path, version: saved.data.version },
        `saved remote configuration refused; ignored: ${oneLine(error.message)}`,
      );
      return;
    }
    this.current = saved.data;
  }

  handle(payload: Buffer): void {
    const { gatewayId, log, now, sendStatus } = this.options;
    // Bytes that are not UTF-8 and repeated keys make no configuration (and no version to confirm).
    const strict = parseStrictJson(payload);
    const json = strict.ok ? strict.value : undefined;
    const parsed = gatewayConfig.safeParse(json);
    const version = (json as { version?: unknown } | undefined)?.version;
    if (!parsed.success) {
      // What was wrong, never the values (shared/issues.ts): logged, and sent to the cloud.
      const detail = oneLine(describeIssues(parsed.error));
      log.warn({ gatewayId }, `invalid remote configuration: ${detail}`);
      if (Number.isInteger(version) && (version as number) >= 1) {
        sendStatus({
          v: 1,
          gatewayId,
          version: version as number,
          status: 'rejected',
          ts: now().toISOString(),
          invalidFields: fieldPaths(parsed.error),
        });
      }
      return;
    }
    if (parsed.data.version <= this.version) return;
    try {
      this.options.apply(parsed.data);
    } catch (error) {
      if (!(error instanceof EdgeConfigError)) throw error;
      const { version } = parsed.data;
      log.warn({ gatewayId, version }, `remote configuration refused: ${oneLine(error.message)}`);
      const invalidFields = error.fields.length > 0 ? error.fields : ['config'];
      sendStatus({ v: 1, gatewayId, version, status: 'rejected', ts: now().toISOString(), invalidFields });
      return;
    }
    this.current = parsed.data;
    // Written whole or not at all: a crash mid-write must not leave a truncated file.
    const temp = `${this.options.path}.tmp`;
    writeFileSync(temp, JSON.stringify(parsed.data));
    renameSync(temp, this.options.path);
    log.info({ gatewayId, version: parsed.data.version }, 'remote configuration applied');
    sendStatus({ v: 1, gatewayId, version: parsed.data.version, status: 'applied', ts: now().toISOString() });
  }
}
