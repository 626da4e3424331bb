/**
 * What the console reads from the API, as the contract of issue 12 (and the routes of cloud/api/)
 * describe it. The generated `schema.d.ts` types requests; most answers there are still `unknown`,
 * so their shapes are written here once, for the pages.
 */
export type Role = 'viewer' | 'operator' | 'admin';
export type Severity = 'info' | 'warning' | 'minor' | 'major' | 'critical';
export type MapState = 'ok' | 'offline' | Severity;
export type AlertState = 'firing' | 'acknowledged' | 'resolved';
export type Kind = 'streetlight' | 'wasteBin' | 'camera' | 'evCharger';

export interface SessionUser {
  username: string;
  displayName: string;
  role: Role;
  mustChangePassword: boolean;
}
export interface Session {
  user: SessionUser;
  csrfToken: string;
}

export interface User extends SessionUser {
  disabled: boolean;
  createdAt: string;
  lastSignInAt?: string;
  lockedUntil?: string;
}

export interface Device {
  id: string;
  kind: Kind;
  gatewayId: string;
  district: string;
  name?: string;
  location?: { lat: number; lon: number };
  status: 'online' | 'offline';
  lastSeen?: string;
  latest: Record<string, string | number | boolean>;
  latestTs?: string;
  openAlerts?: Alert[];
}

export interface Alert {
  id: string;
  ruleId: string;
  ruleName: string;
  severity: Severity;
  subject: { kind: 'device' | 'group'; id: string; deviceKind?: Kind; district?: string };
  state: AlertState;
  summary: string;
  firedAt: string;
  lastMatchAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  assignee?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  resolution?: string;
  history?: { at: string; actor: string; action: string; detail?: unknown }[];
}
export type AlertTransition = 'fired' | 'escalated' | 'acknowledged' | 'assigned' | 'commented' | 'resolved';

export type CommandStatus =
  | 'pending'
  | 'sent'
  | 'delivered'
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'expired';
export const finalCommandStatuses: readonly CommandStatus[] = ['succeeded', 'failed', 'rejected', 'expired'];
export interface Command {
  id: string;
  deviceId: string;
  kind: Kind;
  command: Record<string, unknown>;
  status: CommandStatus;
  createdAt: string;
  expiresAt: string;
  completedAt?: string;
  detail?: string;
}

export interface Gateway {
  id: string;
  district?: string;
  name?: string;
  state: 'online' | 'offline' | 'unknown';
  stateSince?: string;
  lastHeartbeat?: string;
  health?: Record<string, unknown>;
  configStatus?: Record<string, unknown>;
}
export interface GatewayConfig {
  reportingIntervalS: number;
  deadband: Record<string, number>;
  maxSilenceS: number;
  version?: number;
}

export interface SeriesAnswer {
  metric: string;
  fn: string;
  from: string;
  to: string;
  every: string;
  points: { t: string; v: number | null }[];
}

/** A rule as GET /rules returns it; PUT takes it back unchanged (contract). */
export type Rule = Record<string, unknown> & {
  id: string;
  name: string;
  severity: Severity;
  enabled: boolean;
  target: { kind: Kind; districts?: string[]; devices?: string[]; gateways?: string[] };
};
export interface DryRun {
  from: string;
  to: string;
  readings: number;
  events: number;
  fired: number;
  devices: { subject: string; fired: number; firstAt: string }[];
}

export interface MapSettings {
  city: { name: string; timezone: string; location: { lat: number; lon: number } };
  bounds: [number, number, number, number];
  tileUrl: string | null;
  attribution: string | null;
}

export interface Collection {
  depot: { lat: number; lon: number };
  totalMeters: number;
  stops: { order: number; deviceId: string; district: string; location: { lat: number; lon: number } }[];
}

/** GET /summary: figures per kind (counts by name), and the gateways'. */
export type Summary = {
  district: string | null;
  generatedAt: string;
  gateways: Record<string, number>;
} & Partial<Record<Kind, Record<string, number>>>;

/** RFC 9457 problem JSON, with field errors on validation. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}
