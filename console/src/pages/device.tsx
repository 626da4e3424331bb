import { useState } from 'preact/hooks';
import { api } from '../api/api.ts';
import type { Command, Device } from '../api/types.ts';
import { ErrorNote, Loading, PageTitle, StateBadge } from '../components/bits.tsx';
import { SeriesChart } from '../components/chart.tsx';
import { LatestValues } from '../components/latest-values.tsx';
import { useLoad } from '../components/load.ts';
import { formatDateTime } from '../format.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { numericMetrics, unitOf } from '../kinds.ts';
import { useLive } from '../live.ts';
import { DeviceCommands } from './device-commands.tsx';
import { DeviceEvents } from './device-events.tsx';

const ranges = { '6h': [6, '5m'], '24h': [24, '15m'], '7d': [168, '1h'], '30d': [720, '6h'] } as const;
type Range = keyof typeof ranges;

/** One device: latest values, a chart of any metric, its alerts, its events, its commands. */
export function DevicePage({ id }: { id: string }) {
  const { t, lang, timeZone } = useI18n();
  const device = useLoad(() => api.device(id), [id]);
  const d = device.data as Device | undefined;
  const metrics = d ? numericMetrics(d.kind) : [];
  const [metric, setMetric] = useState<string | undefined>();
  const [range, setRange] = useState<Range>('24h');
  const shown = metric ?? metrics[0];
  const series = useLoad(async () => {
    if (!shown) return undefined;
    const [hours, every] = ranges[range];
    const to = new Date();
    const from = new Date(to.getTime() - hours * 3_600_000);
    return api.series(id, { metric: shown, from: from.toISOString(), to: to.toISOString(), every });
  }, [id, shown, range]);
  const history = useLoad(() => api.alerts({ device: id, limit: 20 }), [id]);
  const [commands, setCommands] = useState<Map<string, Command>>(new Map());
  // Events have no live stream: they are read again when the device's alerts or state change.
  const [eventsRound, setEventsRound] = useState(0);
  useLive('alert', ({ alert }) => {
    if (alert.subject.id === id) {
      device.reload();
      history.reload();
      setEventsRound((r) => r + 1);
    }
  });
  useLive('device', (change) => {
    if (change.id === id) {
      device.reload();
      setEventsRound((r) => r + 1);
    }
  });
  useLive('connected', () => {
    device.reload();
    setEventsRound((r) => r + 1);
  });

  return (
    <section>
      <PageTitle>
        {t('device.title', { id })}
        {d?.name && <span class="muted"> · {d.name}</span>}
      </PageTitle>
      <ErrorNote error={device.error} />
      <Loading when={device.loading && !d} />
      {d && (
        <div class="device-grid">
          <section aria-labelledby="latest">
            <h2 id="latest">{t('device.latest')}</h2>
            <p>
              {t(`kind.${d.kind}` as MessageKey)} · {d.district} · {t('device.gateway')} {d.gatewayId} ·{' '}
              <StateBadge state={d.state} />
            </p>
            <LatestValues device={d} />
          </section>
          <section aria-labelledby="chart-title">
            <h2 id="chart-title">{t('device.chart')}</h2>
            <div class="toolbar">
              <label>
                {t('device.metric')}{' '}
                <select value={shown} onChange={(e) => setMetric((e.target as HTMLSelectElement).value)}>
                  {metrics.map((m) => (
                    <option key={m} value={m}>
                      {t(`metric.${m}` as MessageKey)}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {t('device.range')}{' '}
                <select
                  value={range}
                  onChange={(e) => setRange((e.target as HTMLSelectElement).value as Range)}
                >
                  {(Object.keys(ranges) as Range[]).map((r) => (
                    <option key={r} value={r}>
                      {t(`range.${r}` as MessageKey)}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <ErrorNote error={series.error} />
            {series.data && shown && (
              <SeriesChart
                series={series.data}
                label={t(`metric.${shown}` as MessageKey)}
                unit={unitOf(d.kind, shown)}
              />
            )}
            {series.data && series.data.points.length === 0 && <p>{t('device.noData')}</p>}
          </section>
          <section aria-labelledby="alerts-title">
            <h2 id="alerts-title">{t('device.alerts')}</h2>
            <ErrorNote error={history.error} />
            <ul>
              {(history.data?.items ?? []).map((a) => (
                <li key={a.id}>
                  <StateBadge state={a.severity} />{' '}
                  <a href={`/alerts/${encodeURIComponent(a.id)}`}>{a.summary || a.ruleName}</a> ·{' '}
                  {t(`alertState.${a.state}` as MessageKey)} · {formatDateTime(a.firedAt, lang, timeZone)}
                </li>
              ))}
            </ul>
            {history.data?.items.length === 0 && <p>{t('device.noAlerts')}</p>}
          </section>
          <DeviceEvents device={d} round={eventsRound} />
          <DeviceCommands device={d} commands={commands} setCommands={setCommands} />
        </div>
      )}
    </section>
  );
}
