import type { CoverageCells, CoverageClass } from '../api/types.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { coverageClasses, coverageColours } from './city-map.ts';

/** What the map's coverage layer shows: on or off, a day (yyyy-mm-dd, local) and an hour of it ('' = all of it). */
export interface CoveragePick {
  on: boolean;
  day: string;
  hour: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function today(now = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The range the pick asks the API for: one hour, or the 24 hours from the day's local midnight. */
export function coverageRange({ day, hour }: CoveragePick) {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  if (hour === '') {
    const from = new Date(y, m - 1, d);
    return { from, to: new Date(from.getTime() + 86_400_000), granularity: 'day' as const };
  }
  const from = new Date(y, m - 1, d, Number(hour));
  return { from, to: new Date(from.getTime() + 3_600_000), granularity: 'hour' as const };
}

/** The toggle and the hour/day picker of the coverage layer. */
export function CoverageControls({
  pick,
  onPick,
}: {
  pick: CoveragePick;
  onPick: (pick: CoveragePick) => void;
}) {
  const { t } = useI18n();
  return (
    <fieldset class="coverage-controls">
      <legend class="visually-hidden">{t('coverage.title')}</legend>
      <label>
        <input
          type="checkbox"
          checked={pick.on}
          onChange={(e) => onPick({ ...pick, on: (e.target as HTMLInputElement).checked })}
        />{' '}
        {t('coverage.show')}
      </label>
      {pick.on && (
        <>
          <label>
            {t('coverage.day')}{' '}
            <input
              type="date"
              value={pick.day}
              required
              onChange={(e) => {
                const day = (e.target as HTMLInputElement).value;
                if (day) onPick({ ...pick, day });
              }}
            />
          </label>
          <label>
            {t('coverage.hour')}{' '}
            <select
              value={pick.hour}
              onChange={(e) => onPick({ ...pick, hour: (e.target as HTMLSelectElement).value })}
            >
              <option value="">{t('coverage.wholeDay')}</option>
              {Array.from({ length: 24 }, (_, h) => (
                <option key={h} value={String(h)}>{`${pad(h)}:00–${pad((h + 1) % 24)}:00`}</option>
              ))}
            </select>
          </label>
        </>
      )}
    </fieldset>
  );
}

/** The legend of the layer (each class in words, with its thresholds) and how many cells are in each. */
export function CoverageLegend({ cells }: { cells: CoverageCells | undefined }) {
  const { t } = useI18n();
  const counts = Object.fromEntries(coverageClasses.map((c) => [c, 0])) as Record<CoverageClass, number>;
  for (const f of cells?.features ?? []) counts[f.properties.class] += 1;
  const total = cells?.features.length ?? 0;
  return (
    <div data-testid="coverage-legend">
      <ul class="legend" aria-label={t('coverage.title')}>
        {coverageClasses.map((c) => (
          <li key={c}>
            <span class="swatch square" style={{ background: coverageColours[c] }} aria-hidden="true" />
            {t(`coverage.class.${c}` as MessageKey)}
          </li>
        ))}
      </ul>
      {cells && (
        <p class="muted" data-testid="coverage-summary" aria-live="polite">
          {total === 0 ? t('coverage.empty') : t('coverage.summary', { cells: total, ...counts })}
        </p>
      )}
    </div>
  );
}
