import type { Device } from '../api/types.ts';
import { formatDateTime, formatValue } from '../format.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { unitOf } from '../kinds.ts';

/** A device's latest values with their units, and when it was last heard from. */
export function LatestValues({ device }: { device: Device }) {
  const { t, lang, timeZone } = useI18n();
  return (
    <dl class="values" data-testid="latest-values">
      {Object.entries(device.latest).map(([metric, value]) => (
        <div key={metric}>
          <dt>{t(`metric.${metric}` as MessageKey)}</dt>
          <dd>{formatValue(value, lang, unitOf(device.kind, metric))}</dd>
        </div>
      ))}
      <div>
        <dt>{t('device.lastSeen')}</dt>
        <dd>{formatDateTime(device.lastSeen, lang, timeZone)}</dd>
      </div>
    </dl>
  );
}
