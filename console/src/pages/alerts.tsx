import { useMemo, useState } from 'preact/hooks';
import { type AlertAction, api } from '../api/api.ts';
import type { Alert, AlertState, Severity } from '../api/types.ts';
import { ErrorNote, Loading, PageTitle, StateBadge } from '../components/bits.tsx';
import { useLoad } from '../components/load.ts';
import { formatDateTime } from '../format.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { kindNames } from '../kinds.ts';
import { useLive } from '../live.ts';
import { AlertDetail } from './alert-detail.tsx';

export const severities: Severity[] = ['critical', 'major', 'minor', 'warning', 'info'];
const states: (AlertState | 'open')[] = ['open', 'firing', 'acknowledged', 'resolved'];
type Filter = { severity: string; kind: string; district: string; state: string };

function matches(alert: Alert, f: Filter): boolean {
  const state = f.state === 'open' ? alert.state !== 'resolved' : !f.state || alert.state === f.state;
  return (
    state &&
    (!f.severity || alert.severity === f.severity) &&
    (!f.kind || alert.subject.deviceKind === f.kind) &&
    (!f.district || alert.subject.district === f.district)
  );
}

/** The alerts inbox: filtered, live, acted on one by one (detail) or in bulk (selection). */
export function AlertsPage({ id }: { id?: string }) {
  const { t, lang, timeZone } = useI18n();
  const [filter, setFilter] = useState<Filter>({ severity: '', kind: '', district: '', state: 'open' });
  const [selection, setSelection] = useState<Set<string>>(new Set());
  const [text, setText] = useState('');
  const [bulkError, setBulkError] = useState<Error | undefined>();
  const [bulkDone, setBulkDone] = useState('');
  const list = useLoad(
    () =>
      api.alerts({
        limit: 200,
        ...Object.fromEntries(Object.entries(filter).filter(([, v]) => v)),
      }),
    [filter],
  );
  const [live, setLive] = useState<Map<string, Alert>>(new Map());
  useLive('alert', ({ alert }) => setLive((m) => new Map(m).set(alert.id, alert)));
  useLive('connected', () => {
    setLive(new Map());
    list.reload();
  });
  const items = useMemo(() => {
    const loaded = list.data?.items ?? [];
    const known = new Set(loaded.map((a) => a.id));
    const fresh = [...live.values()].filter((a) => !known.has(a.id));
    return [...fresh, ...loaded.map((a) => live.get(a.id) ?? a)].filter((a) => matches(a, filter));
  }, [list.data, live, filter]);

  const set = (key: keyof Filter) => (e: Event) => {
    setFilter({ ...filter, [key]: (e.target as HTMLSelectElement | HTMLInputElement).value });
    setSelection(new Set());
  };
  const toggle = (alertId: string, on: boolean) => {
    const next = new Set(selection);
    if (on) next.add(alertId);
    else next.delete(alertId);
    setSelection(next);
  };

  async function bulk(action: AlertAction) {
    setBulkError(undefined);
    setBulkDone('');
    const results = await Promise.allSettled(
      [...selection].map((alertId) => api.alertAction(alertId, action, text)),
    );
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    for (const r of results)
      if (r.status === 'fulfilled') setLive((m) => new Map(m).set(r.value.id, r.value));
    if (failed.length) setBulkError(failed[0]?.reason as Error);
    setBulkDone(t('alerts.bulkDone', { done: results.length - failed.length, total: results.length }));
    setSelection(new Set());
  }

  const needsText = (a: AlertAction) => a !== 'acknowledge' && !text.trim();
  return (
    <section>
      <PageTitle>{t('alerts.title')}</PageTitle>
      {id && <AlertDetail id={id} onChanged={(a) => setLive((m) => new Map(m).set(a.id, a))} />}
      <form class="toolbar" aria-label={t('alerts.filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('alerts.severity')}{' '}
          <select value={filter.severity} onChange={set('severity')}>
            <option value="">{t('common.all')}</option>
            {severities.map((s) => (
              <option key={s} value={s}>
                {t(`state.${s}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('common.kind')}{' '}
          <select value={filter.kind} onChange={set('kind')}>
            <option value="">{t('common.all')}</option>
            {kindNames.map((k) => (
              <option key={k} value={k}>
                {t(`kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('common.district')} <input value={filter.district} onChange={set('district')} size={12} />
        </label>
        <label>
          {t('alerts.state')}{' '}
          <select value={filter.state} onChange={set('state')}>
            {states.map((s) => (
              <option key={s} value={s}>
                {t(`alertState.${s}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <fieldset class="bulk" disabled={selection.size === 0}>
        <legend>{t('alerts.bulk', { n: selection.size })}</legend>
        <label>
          {t('alerts.bulkText')}{' '}
          <input value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </label>
        {(['acknowledge', 'assign', 'comments', 'resolve'] as const).map((a) => (
          <button key={a} type="button" onClick={() => void bulk(a)} disabled={needsText(a)}>
            {t(`alerts.action.${a}` as MessageKey)}
          </button>
        ))}
      </fieldset>
      <ErrorNote error={bulkError} />
      {bulkDone && <p role="status">{bulkDone}</p>}
      <ErrorNote error={list.error} />
      <Loading when={list.loading && !list.data} />
      <div class="table-wrap">
        <table data-testid="alerts-table">
          <caption class="visually-hidden">{t('alerts.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label={t('alerts.selectAll')}
                  checked={items.length > 0 && items.every((a) => selection.has(a.id))}
                  onChange={(e) =>
                    setSelection(
                      new Set((e.target as HTMLInputElement).checked ? items.map((a) => a.id) : []),
                    )
                  }
                />
              </th>
              <th scope="col">{t('alerts.severity')}</th>
              <th scope="col">{t('alerts.summary')}</th>
              <th scope="col">{t('alerts.subject')}</th>
              <th scope="col">{t('alerts.state')}</th>
              <th scope="col">{t('alerts.firedAt')}</th>
              <th scope="col">{t('alerts.assignee')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id} aria-current={a.id === id ? 'true' : undefined}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={t('alerts.select', { summary: a.summary || a.ruleName })}
                    checked={selection.has(a.id)}
                    onChange={(e) => toggle(a.id, (e.target as HTMLInputElement).checked)}
                  />
                </td>
                <td>
                  <StateBadge state={a.severity} />
                </td>
                <td>
                  <a href={`/alerts/${encodeURIComponent(a.id)}`}>{a.summary || a.ruleName}</a>
                </td>
                <td>
                  {a.subject.kind === 'device' ? (
                    <a href={`/devices/${encodeURIComponent(a.subject.id)}`}>{a.subject.id}</a>
                  ) : (
                    a.subject.id
                  )}
                  {a.subject.district && <span class="muted"> · {a.subject.district}</span>}
                </td>
                <td>{t(`alertState.${a.state}` as MessageKey)}</td>
                <td>{formatDateTime(a.firedAt, lang, timeZone)}</td>
                <td>{a.assignee ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.data && items.length === 0 && <p>{t('alerts.none')}</p>}
    </section>
  );
}
