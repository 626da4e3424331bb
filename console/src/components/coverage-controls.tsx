import type { CoverageCells, CoverageClass } from '../api/types.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { coverageClasses, coverageColours } from './city-map.ts';
import type { CoveragePick } from './coverage-range.ts';
import { localHours } from './local-day.ts';

/** The toggle and the hour/day picker of the coverage layer. */
export function CoverageControls({
  pick,
  onPick,
  timeZone,
}: {
  pick: CoveragePick;
  onPick: (pick: CoveragePick) => void;
  /** The city's: its days and hours. */
  timeZone: string;
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
                if (day) onPick({ ...pick, day, hour: '' });
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
              {localHours(pick.day, timeZone).map(({ start, label }, h) => (
                <option key={start} value={String(h)}>
                  {label}
                </option>
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
