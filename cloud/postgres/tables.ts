/**
 * The tables of the PostgreSQL stores, as the first migration of each schema creates them
 * (cloud/postgres/schema-migrations.ts). Released SQL is never edited: a change is a new migration.
 * Text that is sorted or compared (ids, ISO times) is collated "C", byte order, as SQLite and the
 * memory stores compare, whatever the database's default collation. `s` is the quoted schema.
 */
const text = 'TEXT COLLATE "C"';

export const registryTables = (s: string) => `
CREATE TABLE ${s}.devices (
  id ${text} PRIMARY KEY, kind TEXT NOT NULL, gateway_id ${text} NOT NULL, district ${text} NOT NULL,
  lat DOUBLE PRECISION, lon DOUBLE PRECISION, name TEXT, provisioned BOOLEAN NOT NULL,
  first_seen ${text}, last_seen ${text}, latest TEXT NOT NULL, latest_ts ${text}
);
CREATE TABLE ${s}.gateways (
  id ${text} PRIMARY KEY, district TEXT, lat DOUBLE PRECISION, lon DOUBLE PRECISION, name TEXT,
  state TEXT NOT NULL, state_since TEXT, last_heartbeat TEXT, health TEXT, config_status TEXT
);`;

export const alertTables = (s: string) => `
CREATE TABLE ${s}.alerts (
  id ${text} PRIMARY KEY, rule_id ${text} NOT NULL, rule_name TEXT NOT NULL, severity TEXT NOT NULL,
  subject TEXT NOT NULL, subject_id ${text} NOT NULL, district ${text}, device_kind ${text},
  state TEXT NOT NULL, summary TEXT NOT NULL, fired_at ${text} NOT NULL, last_match_at ${text} NOT NULL,
  acknowledged_at ${text}, acknowledged_by TEXT, assignee TEXT, resolved_at ${text}, resolved_by TEXT,
  resolution TEXT
);
CREATE INDEX alerts_open ON ${s}.alerts (rule_id, subject_id) WHERE state <> 'resolved';
CREATE INDEX alerts_fired ON ${s}.alerts (fired_at);
CREATE TABLE ${s}.alert_history (
  seq BIGSERIAL PRIMARY KEY,
  alert_id ${text} NOT NULL REFERENCES ${s}.alerts (id) ON DELETE CASCADE,
  at ${text} NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT
);
CREATE INDEX alert_history_alert ON ${s}.alert_history (alert_id);
CREATE INDEX alert_history_at ON ${s}.alert_history (action, at);`;

export const ruleTables = (s: string) => `
CREATE TABLE ${s}.rules (
  id ${text} PRIMARY KEY, definition TEXT NOT NULL, updated_at ${text} NOT NULL, deleted BOOLEAN NOT NULL
);
CREATE TABLE ${s}.rule_state (
  rule_id ${text} NOT NULL, subject_id ${text} NOT NULL, since BIGINT, cleared_at BIGINT,
  PRIMARY KEY (rule_id, subject_id)
);`;

export const commandTables = (s: string) => `
CREATE TABLE ${s}.commands (
  id ${text} PRIMARY KEY, device_id ${text} NOT NULL, gateway_id ${text} NOT NULL, kind TEXT NOT NULL,
  command TEXT NOT NULL, status TEXT NOT NULL, created_at ${text} NOT NULL, expires_at ${text} NOT NULL,
  sent_at ${text}, delivered_at ${text}, completed_at ${text}, detail TEXT
);
CREATE INDEX commands_open ON ${s}.commands (gateway_id, status);
CREATE INDEX commands_created ON ${s}.commands (created_at DESC, id);`;

export const auditTables = (s: string) => `
CREATE TABLE ${s}.audit_log (
  id BIGSERIAL PRIMARY KEY, at ${text} NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  target TEXT NOT NULL, before TEXT, after TEXT
);
CREATE INDEX audit_log_at ON ${s}.audit_log (at);`;

/** `dead_letter_usage` follows every insert, delete and change of size (a trigger), so a quota is one lookup. */
export const deadLetterTables = (s: string) => `
CREATE TABLE ${s}.dead_letters (
  id BIGSERIAL PRIMARY KEY, received_at ${text} NOT NULL, topic TEXT NOT NULL, gateway_id ${text},
  size INTEGER NOT NULL, sha256 TEXT NOT NULL, shape TEXT NOT NULL, bytes BIGINT NOT NULL,
  raw BYTEA, raw_expires_at ${text}
);
CREATE TABLE ${s}.dead_letter_reasons (
  seq BIGSERIAL PRIMARY KEY,
  letter_id BIGINT NOT NULL REFERENCES ${s}.dead_letters (id) ON DELETE CASCADE,
  reason TEXT NOT NULL, message TEXT NOT NULL, item_index INTEGER
);
CREATE TABLE ${s}.dead_letter_usage (
  gateway_key ${text} PRIMARY KEY, bytes BIGINT NOT NULL DEFAULT 0, letters BIGINT NOT NULL DEFAULT 0,
  dropped BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE ${s}.dead_letter_captures (gateway_id ${text} PRIMARY KEY, until ${text} NOT NULL);
CREATE INDEX dead_letters_gateway ON ${s}.dead_letters (gateway_id, id);
CREATE INDEX dead_letters_received ON ${s}.dead_letters (received_at);
CREATE INDEX dead_letters_raw ON ${s}.dead_letters (raw_expires_at) WHERE raw_expires_at IS NOT NULL;
CREATE INDEX dead_letter_reasons_letter ON ${s}.dead_letter_reasons (letter_id, reason);
CREATE FUNCTION ${s}.dead_letters_usage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO ${s}.dead_letter_usage AS u (gateway_key, bytes, letters)
      VALUES (COALESCE(NEW.gateway_id, ''), NEW.bytes, 1)
      ON CONFLICT (gateway_key) DO UPDATE SET bytes = u.bytes + EXCLUDED.bytes, letters = u.letters + 1;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE ${s}.dead_letter_usage SET bytes = bytes - OLD.bytes, letters = letters - 1
      WHERE gateway_key = COALESCE(OLD.gateway_id, '');
  ELSE
    UPDATE ${s}.dead_letter_usage SET bytes = bytes - OLD.bytes + NEW.bytes
      WHERE gateway_key = COALESCE(NEW.gateway_id, '');
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER dead_letters_usage AFTER INSERT OR DELETE OR UPDATE OF bytes ON ${s}.dead_letters
  FOR EACH ROW EXECUTE FUNCTION ${s}.dead_letters_usage();`;

export const accountTables = (s: string) => `
CREATE TABLE ${s}.users (
  username ${text} PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT FALSE, must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
  created_at ${text} NOT NULL, last_sign_in_at ${text}, tenant ${text}, grants JSONB NOT NULL DEFAULT '[]'
);
CREATE TABLE ${s}.login_states (
  login_key ${text} PRIMARY KEY, state TEXT NOT NULL, forget_after ${text} NOT NULL
);
CREATE INDEX login_states_forget_after ON ${s}.login_states (forget_after);
CREATE TABLE ${s}.api_tokens (
  id ${text} PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, digest ${text} NOT NULL UNIQUE,
  created_at ${text} NOT NULL, revoked BOOLEAN NOT NULL DEFAULT FALSE, tenant ${text},
  grants JSONB NOT NULL DEFAULT '[]'
);
CREATE TABLE ${s}.sessions (
  digest ${text} PRIMARY KEY, username ${text} NOT NULL, csrf_token TEXT NOT NULL,
  created_at ${text} NOT NULL, last_seen_at ${text} NOT NULL
);
CREATE INDEX sessions_username ON ${s}.sessions (username);`;

export const tenantTables = (s: string) => `
CREATE TABLE ${s}.tenants (id ${text} PRIMARY KEY, record TEXT NOT NULL);`;

export const openDataTables = (s: string) => `
CREATE TABLE ${s}.open_datasets (id ${text} PRIMARY KEY, definition TEXT NOT NULL);
CREATE TABLE ${s}.open_data_catalogue (one INTEGER PRIMARY KEY CHECK (one = 1), settings TEXT NOT NULL);`;

/** `seq` orders deliveries created at the same instant (SQLite's rowid). */
export const notificationTables = (s: string) => `
CREATE TABLE ${s}.notification_deliveries (
  id ${text} PRIMARY KEY, seq BIGSERIAL NOT NULL, channel ${text} NOT NULL, event TEXT NOT NULL,
  subject_id ${text} NOT NULL, transition TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
  last_status INTEGER, last_error TEXT, created_at ${text} NOT NULL, updated_at ${text} NOT NULL
);
CREATE INDEX notification_deliveries_subject ON ${s}.notification_deliveries (subject_id);
CREATE INDEX notification_deliveries_created ON ${s}.notification_deliveries (created_at DESC, seq DESC);
CREATE TABLE ${s}.notification_sent (
  subject_id ${text} NOT NULL, transition ${text} NOT NULL, channel ${text} NOT NULL,
  state TEXT NOT NULL, claimed_at ${text} NOT NULL, settled_at ${text},
  PRIMARY KEY (subject_id, transition, channel)
);
CREATE INDEX notification_sent_claimed ON ${s}.notification_sent (claimed_at);`;

/** The change is kept without its version (JSON text, its keys in order); the version is a column. */
export const gatewayConfigTables = (s: string) => `
CREATE TABLE ${s}.gateway_configs (
  gateway_id ${text} PRIMARY KEY, version INTEGER NOT NULL, change TEXT NOT NULL, updated_at ${text} NOT NULL
);`;

/** Cluster mode's rollups: the dirty hours the storage workers mark, and the rollup task's state. */
export const rollupTables = (s: string) => `
CREATE SEQUENCE ${s}.rollup_mark_seq;
CREATE TABLE ${s}.rollup_dirty_hours (
  measurement TEXT NOT NULL, hour BIGINT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (measurement, hour)
);
CREATE INDEX rollup_dirty_hours_by_hour ON ${s}.rollup_dirty_hours (hour DESC, measurement);
CREATE TABLE ${s}.rollup_state (one INTEGER PRIMARY KEY CHECK (one = 1), state TEXT NOT NULL);`;
