import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { oneLine } from '../shared/ids.ts';
import { describeIssues } from '../shared/issues.ts';
import { type ConfigStatus, type GatewayConfig, gatewayConfig } from '../shared/messages.ts';
import { parseStrictJson } from '../shared/strict-json.ts';

export interface RemoteConfigOptions {
  gatewayId: string;
  /** Where the applied configuration is kept, so it survives a restart. */
  path: string;
  log: Logger;
  now: () => Date;
  apply(config: GatewayConfig): void;
  sendStatus(status: ConfigStatus): void;
}

/**
 * The configuration the cloud pushes to a gateway (retained on `.../config`): a higher version than
 * the one in force is applied, saved and confirmed; the same or a lower version is ignored, since the
 * retained message comes again on every connect.
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
    this.current = saved.data;
    this.options.apply(saved.data);
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
          ...invalidFields(parsed.error),
        });
      }
      return;
    }
    if (parsed.data.version <= this.version) return;
    this.current = parsed.data;
    this.options.apply(parsed.data);
    // Written whole or not at all: a crash mid-write must not leave a truncated file.
    const temp = `${this.options.path}.tmp`;
    writeFileSync(temp, JSON.stringify(parsed.data));
    renameSync(temp, this.options.path);
    log.info({ gatewayId, version: parsed.data.version }, 'remote configuration applied');
    sendStatus({ v: 1, gatewayId, version: parsed.data.version, status: 'applied', ts: now().toISOString() });
  }
}

/**
 * The fields a rejected configuration got wrong, as dotted paths (`deadband.activePower`): what a
 * config-status may carry instead of the validator's sentences. A key that is not a plain name is
 * named by its parent; an issue with the whole message is `config`.
 */
function invalidFields(error: z.ZodError): Pick<ConfigStatus, 'invalidFields'> {
  const fields = new Set<string>();
  for (const issue of error.issues) {
    const path: string[] = [];
    // An unknown field is reported on its parent, with the field's name beside it.
    const keys = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
    for (const key of keys) {
      const part = String(key);
      if (!/^[A-Za-z0-9_]{1,40}$/.test(part)) break;
      path.push(part);
    }
    fields.add(path.length > 0 ? path.join('.').slice(0, 100) : 'config');
  }
  return { invalidFields: [...fields].slice(0, 20) };
}
