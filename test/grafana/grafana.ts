import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the test reads from a provisioned dashboard: the parts Grafana needs to run its queries. */
export interface Target {
  refId: string;
  datasource?: { type?: string; uid?: string };
  rawQuery?: boolean;
  query?: string;
  resultFormat?: string;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  /** Panel time override, e.g. "now/d" (today so far) or "2h". */
  timeFrom?: string;
  panels?: Panel[];
}

export interface Variable {
  name: string;
  type: string;
  query?: string | { query: string };
  datasource?: { type?: string; uid?: string };
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: Variable[] };
  panels: Panel[];
}

export const dashboardsDir = join(import.meta.dirname, '../../provisioning/grafana/dashboards/json');
export const kindsDir = join(import.meta.dirname, '../../provisioning/kinds');

/**
 * The provisioned dashboards as Grafana's providers see them: the city-wide ones by file name, and
 * each kind's (provisioning/kinds/<kind>/dashboard.json, mounted as <kind>.json) by kind.
 */
export function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
  const cityWide = readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, dashboard: read(join(dashboardsDir, file)) }));
  const perKind = readdirSync(kindsDir)
    .filter((kind) => existsSync(join(kindsDir, kind, 'dashboard.json')))
    .map((kind) => ({ file: `${kind}.json`, dashboard: read(join(kindsDir, kind, 'dashboard.json')) }));
  return [...cityWide, ...perKind].sort((a, b) => a.file.localeCompare(b.file));
}

/** Every panel that is not a row, including those nested in (collapsed) rows. */
export function queryPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => (p.type === 'row' ? queryPanels(p.panels ?? []) : [p]));
}

export function variableQuery(variable: Variable): string {
  return typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
}

/** Grafana's regex escaping of a variable value interpolated into an InfluxQL /regex/. */
function regexEscape(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/**
 * A variable's interpolation as Grafana's InfluxDB datasource does it inside `=~ /^$var$/`: "All"
 * with an allValue gives the allValue, several values an escaped alternation, one value itself escaped.
 */
export function interpolateVariable(variable: Variable, selected: 'all' | string[]): string {
  if (selected === 'all') {
    if (variable.allValue === undefined) throw new Error(`$${variable.name} has no allValue`);
    return variable.allValue;
  }
  const escaped = selected.map(regexEscape);
  return escaped.length === 1 ? (escaped[0] as string) : `(${escaped.join('|')})`;
}

export interface Macros {
  /** Dashboard range in epoch ms. */
  from: number;
  to: number;
  /** `$__interval`, as Grafana would compute it (e.g. "10s"), and the same in ms. */
  interval: string;
  intervalMs: number;
  /** Interpolated template variables by name. */
  variables: Record<string, string>;
}

/** The start of a panel's relative time override ("now/d", "now-6h", "6h"); undefined if none. */
export function panelFrom(timeFrom: string | undefined, now: Date): number | undefined {
  if (!timeFrom) return undefined;
  if (timeFrom === 'now/d') {
    const day = new Date(now);
    day.setHours(0, 0, 0, 0);
    return day.getTime();
  }
  const match = /^(?:now-)?(\d+)([smhd])$/.exec(timeFrom);
  if (!match) throw new Error(`unsupported panel time override ${timeFrom}`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return now.getTime() - Number(match[1]) * unit;
}

/**
 * Expands the macros and template variables of a raw InfluxQL query the way Grafana's backend does
 * before it sends the query to InfluxDB. Throws if a `$name` is left that Grafana would not know.
 */
export function expandQuery(query: string, macros: Macros): string {
  const timeFilter = `time >= ${macros.from}ms and time <= ${macros.to}ms`;
  const expanded = query
    .replaceAll('$timeFilter', timeFilter)
    .replaceAll('$__timeFilter', timeFilter)
    .replaceAll('$__interval_ms', String(macros.intervalMs))
    .replaceAll('$__interval', macros.interval)
    .replace(/\$(\w+)|\[\[(\w+)\]\]|\$\{(\w+)\}/g, (whole, a?: string, b?: string, c?: string) => {
      const name = (a ?? b ?? c) as string;
      const value = macros.variables[name];
      if (value === undefined) throw new Error(`unknown variable ${whole} in ${query}`);
      return value;
    });
  return expanded;
}

/** Names of the template variables a query uses. */
export function usedVariables(query: string): string[] {
  const names = [...query.matchAll(/\$(\w+)|\[\[(\w+)\]\]|\$\{(\w+)\}/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  return [...new Set(names as string[])].filter((n) => n !== 'timeFilter' && !n.startsWith('__'));
}
