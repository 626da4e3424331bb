import { useEffect, useRef } from 'preact/hooks';
import { api } from '../api/api.ts';
import type { Device } from '../api/types.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { ErrorNote, StateBadge } from './bits.tsx';
import { LatestValues } from './latest-values.tsx';
import { useLoad } from './load.ts';

/** A device's panel beside the map: its state, latest values and a link to its page. */
export function DevicePanel({ id, onClose }: { id: string; onClose(): void }) {
  const { t } = useI18n();
  const device = useLoad(() => api.device(id), [id]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [id]);
  const d = device.data as Device | undefined;
  return (
    <aside class="panel" aria-labelledby="panel-title" data-testid="device-panel">
      <h2 id="panel-title" tabIndex={-1} ref={heading}>
        {id}
      </h2>
      <button type="button" class="close" onClick={onClose}>
        {t('common.close')}
      </button>
      <ErrorNote error={device.error} />
      {d && (
        <>
          <p>
            {t(`kind.${d.kind}` as MessageKey)} · {d.district} <StateBadge state={d.state} />
          </p>
          <LatestValues device={d} />
          <a href={`/devices/${encodeURIComponent(d.id)}`}>{t('map.openDevice')}</a>
        </>
      )}
    </aside>
  );
}
