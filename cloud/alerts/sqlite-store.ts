import type { DatabaseSync } from 'node:sqlite';
import { transaction } from '../sqlite/sqlite.ts';
import { OpenAlerts } from './open-alerts.ts';
import { columns, type Row, toAlert } from './rows.ts';
import type {
  Alert,
  AlertChanges,
  AlertHistoryEntry,
  AlertQuery,
  AlertStore,
  AlertSummary,
} from './store.ts';

/** Alerts and their full history, in the embedded database (they survive a restart). */
export class SqliteAlertStore implements AlertStore {
  private readonly db: DatabaseSync;
  private readonly openAlerts = new OpenAlerts();

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS alerts (
      id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, rule_name TEXT NOT NULL, severity TEXT NOT NULL,
      subject TEXT NOT NULL, subject_id TEXT NOT NULL, district TEXT, device_kind TEXT,
      state TEXT NOT NULL, summary TEXT NOT NULL, fired_at TEXT NOT NULL, last_match_at TEXT NOT NULL,
      acknowledged_at TEXT, acknowledged_by TEXT, assignee TEXT, resolved_at TEXT, resolved_by TEXT, resolution TEXT
    );
    CREATE INDEX IF NOT EXISTS alerts_open ON alerts (rule_id, subject_id, state);
    CREATE INDEX IF NOT EXISTS alerts_fired ON alerts (fired_at);
    CREATE TABLE IF NOT EXISTS alert_history (
      alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
      at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT
    );
    CREATE INDEX IF NOT EXISTS alert_history_alert ON alert_history (alert_id);`);
    for (const alert of (db.prepare("SELECT * FROM alerts WHERE state != 'resolved'").all() as Row[]).map(
      toAlert,
    )) {
      this.openAlerts.index(alert);
    }
  }

  async insert(alert: Alert, actor: string): Promise<void> {
    transaction(this.db, () => {
      this.db
        .prepare(`INSERT INTO alerts (id, rule_id, rule_name, severity, subject, subject_id, district, device_kind,
          state, summary, fired_at, last_match_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(
          alert.id,
          alert.ruleId,
          alert.ruleName,
          alert.severity,
          JSON.stringify(alert.subject),
          alert.subject.id,
          alert.subject.district ?? null,
          alert.subject.deviceKind ?? null,
          alert.state,
          alert.summary,
          alert.firedAt,
          alert.lastMatchAt,
        );
      this.history(alert.id, {
        at: alert.firedAt,
        actor,
        action: 'fired',
        detail: { summary: alert.summary },
      });
    });
    this.openAlerts.index(alert);
  }

  /** Changes and their history entry in one transaction. */
  async update(id: string, changes: AlertChanges, entry?: AlertHistoryEntry): Promise<void> {
    transaction(this.db, () => {
      const keys = Object.keys(changes) as (keyof typeof columns)[];
      if (keys.length > 0) {
        this.db
          .prepare(`UPDATE alerts SET ${keys.map((k) => `${columns[k]} = ?`).join(', ')} WHERE id = ?`)
          .run(...keys.map((k) => (changes[k] as string | undefined) ?? null), id);
      }
      if (entry) this.history(id, entry);
    });
    const row = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
    if (row) this.openAlerts.index(toAlert(row));
  }

  private history(id: string, entry: AlertHistoryEntry): void {
    this.db
      .prepare('INSERT INTO alert_history (alert_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)')
      .run(
        id,
        entry.at,
        entry.actor,
        entry.action,
        entry.detail === undefined ? null : JSON.stringify(entry.detail),
      );
  }

  async get(id: string): Promise<(Alert & { history: AlertHistoryEntry[] }) | undefined> {
    const row = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
    if (!row) return undefined;
    const history = (
      this.db.prepare('SELECT * FROM alert_history WHERE alert_id = ? ORDER BY rowid').all(id) as Row[]
    ).map((h) => ({
      at: String(h.at),
      actor: String(h.actor),
      action: String(h.action),
      detail: h.detail === null ? undefined : JSON.parse(String(h.detail)),
    }));
    return { ...toAlert(row), history };
  }

  open(ruleId: string, subjectId: string): Alert | undefined {
    return this.openAlerts.get(ruleId, subjectId);
  }

  openRules(subjectId: string): ReadonlySet<string> {
    return this.openAlerts.rulesOf(subjectId);
  }

  allOpen(): Alert[] {
    return this.openAlerts.all();
  }

  async list(query: AlertQuery): Promise<{ total: number; items: Alert[] }> {
    const where: string[] = [];
    const params: string[] = [];
    const add = (clause: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      params.push(value);
    };
    if (query.state === 'open') where.push("state != 'resolved'");
    else add('state = ?', query.state);
    add('severity = ?', query.severity);
    add('device_kind = ?', query.deviceKind);
    add('district = ?', query.district);
    add('subject_id = ?', query.device);
    add('rule_id = ?', query.ruleId);
    add('fired_at >= ?', query.from);
    add('fired_at < ?', query.to);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const { n } = this.db.prepare(`SELECT COUNT(*) AS n FROM alerts ${clause}`).get(...params) as {
      n: number;
    };
    const rows = this.db
      .prepare(`SELECT * FROM alerts ${clause} ORDER BY fired_at DESC, id LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as Row[];
    return { total: Number(n), items: rows.map(toAlert) };
  }

  async summary(from: string, to: string): Promise<AlertSummary> {
    const count = (action: string) =>
      Number(
        (
          this.db
            .prepare('SELECT COUNT(*) AS n FROM alert_history WHERE action = ? AND at >= ? AND at < ?')
            .get(action, from, to) as {
            n: number;
          }
        ).n,
      );
    const open = Object.fromEntries(
      (
        this.db
          .prepare("SELECT severity, COUNT(*) AS n FROM alerts WHERE state != 'resolved' GROUP BY severity")
          .all() as {
          severity: string;
          n: number;
        }[]
      ).map((r) => [r.severity, Number(r.n)]),
    );
    const topRules = (
      this.db
        .prepare(`SELECT rule_id, rule_name, COUNT(*) AS n FROM alerts WHERE fired_at >= ? AND fired_at < ?
          GROUP BY rule_id, rule_name ORDER BY n DESC LIMIT 10`)
        .all(from, to) as { rule_id: string; rule_name: string; n: number }[]
    ).map((r) => ({ ruleId: r.rule_id, ruleName: r.rule_name, fired: Number(r.n) }));
    return {
      from,
      to,
      open,
      fired: count('fired'),
      escalated: count('escalated'),
      acknowledged: count('acknowledged'),
      resolved: count('resolved'),
      topRules,
    };
  }

  async pruneResolved(before: string): Promise<number> {
    return Number(
      this.db.prepare("DELETE FROM alerts WHERE state = 'resolved' AND resolved_at < ?").run(before).changes,
    );
  }
}
