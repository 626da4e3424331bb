import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/api.ts';
import { ErrorNote, Loading, PageTitle, StateBadge } from '../components/bits.tsx';
import { useLoad } from '../components/load.ts';
import { formatDateTime } from '../format.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { useRegionAlerts } from '../live.ts';
import { withTenant } from '../tenant/choice.ts';
import { useTenant } from '../tenant/state.ts';

/**
 * The region's dispatch view: the open alerts of every town the account may see, newest first,
 * each with its town (dates in the town's time zone). An alert opens in its town. Read again when
 * it opens, when the town shown changes, and on every alert change of any of those towns (the
 * region's own stream).
 */
export function RegionPage() {
  const { t, lang, timeZone } = useI18n();
  const { tenants } = useTenant();
  const alerts = useLoad(() => api.regionAlerts(), []);
  // A burst of alert events reads the list once more after the read under way, not once per event.
  const [stale, setStale] = useState(false);
  const changed = () => (alerts.loading ? setStale(true) : alerts.reload());
  useEffect(() => {
    if (stale && !alerts.loading) {
      setStale(false);
      alerts.reload();
    }
  }, [stale, alerts.loading]);
  useRegionAlerts(changed);
  const towns = new Map(tenants.map((town) => [town.id, town]));
  const items = alerts.data?.items ?? [];
  return (
    <section>
      <PageTitle>{t('region.title')}</PageTitle>
      <p class="muted">{t('region.explain')}</p>
      <ErrorNote error={alerts.error} />
      <Loading when={alerts.loading && !alerts.data} />
      <div class="table-wrap">
        <table data-testid="region-alerts">
          <caption class="visually-hidden">{t('region.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('region.town')}</th>
              <th scope="col">{t('alerts.severity')}</th>
              <th scope="col">{t('alerts.summary')}</th>
              <th scope="col">{t('alerts.subject')}</th>
              <th scope="col">{t('alerts.state')}</th>
              <th scope="col">{t('alerts.firedAt')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => {
              const town = towns.get(a.tenant);
              return (
                <tr key={`${a.tenant}/${a.id}`}>
                  <td>{town?.name ?? a.tenant}</td>
                  <td>
                    <StateBadge state={a.severity} />
                  </td>
                  <td>
                    <a href={withTenant(`/alerts/${encodeURIComponent(a.id)}`, a.tenant)}>
                      {a.summary || a.ruleName}
                    </a>
                  </td>
                  <td>
                    {a.subject.id}
                    {a.subject.district && <span class="muted"> · {a.subject.district}</span>}
                  </td>
                  <td>{t(`alertState.${a.state}` as MessageKey)}</td>
                  <td>{formatDateTime(a.firedAt, lang, town?.timezone ?? timeZone)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {alerts.data && items.length === 0 && <p>{t('region.none')}</p>}
    </section>
  );
}
