import type pg from 'pg';
import { inTransaction } from '../postgres/pool.ts';
import type { PgSchema } from '../postgres/schema-name.ts';
import { WriteQueue, type WriteRetry } from '../postgres/write-queue.ts';
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

/**
 * Alerts and their full history in PostgreSQL (one tenant's schema, cluster mode). Like the SQLite
 * store it answers `open` and `allOpen` from memory: a write changes them when it is called, and the
 * writes go to the database behind, one after another in the order called; reads (`get`, `list`,
 * `summary`) wait for the writes called before them, so a node reads its own writes.
 *
 * With two nodes on one database the memory view is this node's: it holds the open alerts found at
 * `open()` (or the last `refresh()`) and those this node raised or changed since. An alert another
 * node raises, acknowledges or resolves afterwards is in the database (every `get`, `list` and
 * `summary` sees it) but not in this node's `open`/`allOpen` until `refresh()`. So the rules of a
 * subject must be evaluated on one node at a time (the rules engine partitioned by tenant and
 * gateway), which is also what keeps an alert from being raised twice; a node taking over a
 * partition calls `refresh()` first. An operator's change through another node's API (acknowledge,
 * assign, resolve) reaches the database at once and this view at the next refresh.
 */
export class PostgresAlertStore implements AlertStore {
  private readonly schema: PgSchema;
  private readonly writes: WriteQueue;
  private openAlerts = new OpenAlerts();
  /** Every open alert known here, by id (`openAlerts` keeps the newest of a subject only). */
  private known = new Map<string, Alert>();
  /** For each refresh under way, the alerts this node changed since it was called. */
  private readonly recording = new Set<Alert[]>();

  private constructor(schema: PgSchema, retry?: WriteRetry) {
    this.schema = schema;
    this.writes = new WriteQueue((fn) => inTransaction(schema.pool, fn), retry);
  }

  /**
   * The store of a migrated schema, with the open alerts it holds. A write that finds PostgreSQL
   * unreachable waits for it (`retry`, cloud/postgres/write-queue.ts) with the writes behind it.
   */
  static async open(schema: PgSchema, options: { retry?: WriteRetry } = {}): Promise<PostgresAlertStore> {
    const store = new PostgresAlertStore(schema, options.retry);
    await store.refresh();
    return store;
  }

  /** Resolves once every write called so far has reached the database (or failed). */
  settled(): Promise<void> {
    return this.writes.settled();
  }

  /**
   * Reads the open alerts from the database again, after the writes called before it; what this node
   * changes meanwhile (its writes queued behind the read) is kept.
   */
  refresh(): Promise<void> {
    const meanwhile: Alert[] = [];
    this.recording.add(meanwhile);
    return this.writes.push(async (client) => {
      try {
        const { rows } = await client.query<Row>(
          `SELECT * FROM ${this.schema.name}.alerts WHERE state <> 'resolved'`,
        );
        this.openAlerts = new OpenAlerts();
        this.known = new Map();
        for (const alert of [...rows.map(toAlert), ...meanwhile]) this.index(alert);
      } finally {
        this.recording.delete(meanwhile);
      }
    });
  }

  /** Takes in the current state of an alert. */
  private remember(alert: Alert): void {
    this.index(alert);
    for (const meanwhile of this.recording) meanwhile.push(alert);
  }

  private index(alert: Alert): void {
    this.openAlerts.index(alert);
    if (alert.state === 'resolved') this.known.delete(alert.id);
    else this.known.set(alert.id, alert);
  }

  insert(alert: Alert, actor: string): Promise<void> {
    const { id, ruleId, ruleName, severity, subject, state, summary, firedAt, lastMatchAt } = alert;
    this.remember({
      id,
      ruleId,
      ruleName,
      severity,
      subject: { ...subject },
      state,
      summary,
      firedAt,
      lastMatchAt,
    });
    // A retry may follow a first attempt that committed before its connection broke: then it does nothing.
    return this.writes.push(async (client, attempt) => {
      const { rowCount } = await client.query(
        `INSERT INTO ${this.schema.name}.alerts (id, rule_id, rule_name, severity, subject, subject_id,
            district, device_kind, state, summary, fired_at, last_match_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ${attempt > 0 ? 'ON CONFLICT (id) DO NOTHING' : ''}`,
        [
          id,
          ruleId,
          ruleName,
          severity,
          JSON.stringify(subject),
          subject.id,
          subject.district ?? null,
          subject.deviceKind ?? null,
          state,
          summary,
          firedAt,
          lastMatchAt,
        ],
      );
      if (rowCount)
        await this.history(client, id, { at: firedAt, actor, action: 'fired', detail: { summary } });
    });
  }

  /** Changes and their history entry in one transaction. */
  update(id: string, changes: AlertChanges, entry?: AlertHistoryEntry): Promise<void> {
    const current = this.known.get(id);
    if (current) this.remember({ ...current, ...changes });
    const written = this.writes.push(async (client, attempt) => {
      const keys = Object.keys(changes) as (keyof typeof columns)[];
      if (keys.length > 0) {
        await client.query(
          `UPDATE ${this.schema.name}.alerts SET ${keys.map((k, i) => `${columns[k]} = $${i + 1}`).join(', ')}
           WHERE id = $${keys.length + 1}`,
          [...keys.map((k) => (changes[k] as string | undefined) ?? null), id],
        );
      }
      if (entry) await this.history(client, id, entry, attempt > 0);
      if (current) return undefined;
      // An alert not open here (raised by another node, or resolved): its state comes from the database.
      const { rows } = await client.query<Row>(`SELECT * FROM ${this.schema.name}.alerts WHERE id = $1`, [
        id,
      ]);
      return rows[0] && toAlert(rows[0]);
    });
    return written.then((stored) => {
      if (stored) this.remember(stored);
    });
  }

  /** Appends a history entry; on a retry, not if the first attempt appended it already. */
  private async history(
    client: pg.PoolClient,
    id: string,
    entry: AlertHistoryEntry,
    retry = false,
  ): Promise<void> {
    const h = `${this.schema.name}.alert_history`;
    await client.query(
      `INSERT INTO ${h} (alert_id, at, actor, action, detail) SELECT $1, $2, $3, $4, $5
       ${retry ? `WHERE NOT EXISTS (SELECT 1 FROM ${h} WHERE alert_id = $1 AND at = $2 AND actor = $3 AND action = $4)` : ''}`,
      [
        id,
        entry.at,
        entry.actor,
        entry.action,
        entry.detail === undefined ? null : JSON.stringify(entry.detail),
      ],
    );
  }

  async get(id: string): Promise<(Alert & { history: AlertHistoryEntry[] }) | undefined> {
    await this.writes.settled();
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.alerts WHERE id = $1`,
      [id],
    );
    if (!rows[0]) return undefined;
    const history = await this.schema.pool.query<Row>(
      `SELECT at, actor, action, detail FROM ${this.schema.name}.alert_history WHERE alert_id = $1 ORDER BY seq`,
      [id],
    );
    return {
      ...toAlert(rows[0]),
      history: history.rows.map((h) => ({
        at: String(h.at),
        actor: String(h.actor),
        action: String(h.action),
        detail: h.detail === null ? undefined : JSON.parse(String(h.detail)),
      })),
    };
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
    const params: (string | number)[] = [];
    const add = (column: string, op: string, value: string | undefined) => {
      if (value === undefined) return;
      params.push(value);
      where.push(`${column} ${op} $${params.length}`);
    };
    if (query.state === 'open') where.push("state <> 'resolved'");
    else add('state', '=', query.state);
    add('severity', '=', query.severity);
    add('device_kind', '=', query.deviceKind);
    add('district', '=', query.district);
    add('subject_id', '=', query.device);
    add('rule_id', '=', query.ruleId);
    add('fired_at', '>=', query.from);
    add('fired_at', '<', query.to);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    await this.writes.settled();
    const count = await this.schema.pool.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM ${this.schema.name}.alerts ${clause}`,
      params,
    );
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.alerts ${clause} ORDER BY fired_at DESC, id
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    );
    return { total: Number(count.rows[0]?.n ?? 0), items: rows.map(toAlert) };
  }

  async summary(from: string, to: string): Promise<AlertSummary> {
    const s = this.schema.name;
    await this.writes.settled();
    const [actions, open, top] = await Promise.all([
      this.schema.pool.query<{ action: string; n: string }>(
        `SELECT action, COUNT(*) AS n FROM ${s}.alert_history WHERE at >= $1 AND at < $2 GROUP BY action`,
        [from, to],
      ),
      this.schema.pool.query<{ severity: string; n: string }>(
        `SELECT severity, COUNT(*) AS n FROM ${s}.alerts WHERE state <> 'resolved' GROUP BY severity`,
      ),
      this.schema.pool.query<{ rule_id: string; rule_name: string; n: string }>(
        `SELECT rule_id, rule_name, COUNT(*) AS n FROM ${s}.alerts WHERE fired_at >= $1 AND fired_at < $2
         GROUP BY rule_id, rule_name ORDER BY n DESC LIMIT 10`,
        [from, to],
      ),
    ]);
    const count = (action: string) => Number(actions.rows.find((r) => r.action === action)?.n ?? 0);
    return {
      from,
      to,
      open: Object.fromEntries(open.rows.map((r) => [r.severity, Number(r.n)])),
      fired: count('fired'),
      escalated: count('escalated'),
      acknowledged: count('acknowledged'),
      resolved: count('resolved'),
      topRules: top.rows.map((r) => ({ ruleId: r.rule_id, ruleName: r.rule_name, fired: Number(r.n) })),
    };
  }

  pruneResolved(before: string): Promise<number> {
    return this.writes.push(async (client) => {
      const { rowCount } = await client.query(
        `DELETE FROM ${this.schema.name}.alerts WHERE state = 'resolved' AND resolved_at < $1`,
        [before],
      );
      return rowCount ?? 0;
    });
  }
}
