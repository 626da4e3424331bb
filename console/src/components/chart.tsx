import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { SeriesAnswer } from '../api/types.ts';
import { formatNumber } from '../format.ts';
import { useI18n } from '../i18n/i18n.ts';

/** A metric over time with uPlot; a hidden table gives the same points to screen readers. */
export function SeriesChart({ series, label, unit }: { series: SeriesAnswer; label: string; unit?: string }) {
  const { lang, timeZone } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const xs = series.points.map((p) => new Date(p.t).getTime() / 1000);
    const ys = series.points.map((p) => p.v);
    const plot = new uPlot(
      {
        width: Math.max(300, box.current.clientWidth),
        height: 260,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
        // The range asked for, even when the data cover only part of it.
        scales: {
          x: { time: true, range: () => [Date.parse(series.from) / 1000, Date.parse(series.to) / 1000] },
        },
        series: [
          {},
          {
            label,
            stroke: '#0550ae',
            width: 2,
            fill: 'rgba(5, 80, 174, 0.08)',
            value: (_u, v) => (v == null ? '—' : formatNumber(v, lang, unit)),
          },
        ],
        axes: [{}, { values: (_u, ticks) => ticks.map((v) => formatNumber(v, lang, unit)), size: 70 }],
      },
      [xs, ys],
      box.current,
    );
    return () => plot.destroy();
  }, [series, label, unit, lang, timeZone]);
  return <div ref={box} class="chart" role="img" aria-label={label} />;
}
