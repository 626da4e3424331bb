import { api } from '../api/api.ts';
import type { Device } from '../api/types.ts';
import { ErrorNote, Loading } from '../components/bits.tsx';
import { useLoad } from '../components/load.ts';
import { formatDateTime, formatValue } from '../format.ts';
import { translateWord, useI18n } from '../i18n/i18n.ts';
import { eventValueUnit } from '../kinds.ts';

/** The device's latest events (GET /devices/{id}/events): type and the values its kind declares. */
export function DeviceEvents({ device, round }: { device: Device; round: number }) {
  const { t, lang, timeZone } = useI18n();
  const events = useLoad(() => api.deviceEvents(device.id, { limit: 50 }), [device.id, round]);
  const items = events.data?.items ?? [];
  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">{t('device.events')}</h2>
      <ErrorNote error={events.error} />
      <Loading when={events.loading && !events.data} />
      {items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="device-events">
            <caption class="visually-hidden">{t('device.eventsCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('device.eventTime')}</th>
                <th scope="col">{t('device.eventType')}</th>
                <th scope="col">{t('device.eventValues')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e, i) => (
                <tr key={`${e.ts}-${e.type}-${i}`}>
                  <td>{formatDateTime(e.ts, lang, timeZone)}</td>
                  <th scope="row">{translateWord(lang, 'event', e.type)}</th>
                  <td>
                    {Object.entries(e.values ?? {})
                      .map(
                        ([name, value]) =>
                          `${translateWord(lang, 'eventValue', name)}: ${formatValue(value, lang, eventValueUnit(device.kind, name))}`,
                      )
                      .join(', ') || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {events.data && items.length === 0 && <p>{t('device.noEvents')}</p>}
    </section>
  );
}
