import { type Lang, translate, translateWord } from './i18n/i18n.ts';

/** Dates, numbers and units through Intl, in the language shown and the city's time zone. */
const locales: Record<Lang, string> = { en: 'en-GB', cs: 'cs-CZ' };

export function formatDateTime(value: string | Date | undefined, lang: Lang, timeZone: string): string {
  if (!value) return '—';
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(locales[lang], { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
    date,
  );
}

/** Intl's unit identifiers for the units the kinds declare (shared/kinds: quantity(unit, ...)). */
const intlUnits: Record<string, string> = {
  '%': 'percent',
  W: 'watt',
  kW: 'kilowatt',
  kWh: 'kilowatt-hour',
  V: 'volt',
  A: 'ampere',
  h: 'hour',
  s: 'second',
  ms: 'millisecond',
  '°': 'degree',
  min: 'minute',
  '°C': 'celsius',
  kg: 'kilogram',
  l: 'liter',
  m: 'meter',
  km: 'kilometer',
  'km/h': 'kilometer-per-hour',
  dB: 'decibel',
  dBm: 'decibel',
};

export function formatNumber(value: number, lang: Lang, unit?: string): string {
  const intl = unit ? intlUnits[unit] : undefined;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  if (intl && intl !== 'decibel') {
    try {
      return new Intl.NumberFormat(locales[lang], {
        style: 'unit',
        unit: intl,
        maximumFractionDigits: digits,
      }).format(value);
    } catch {
      // An identifier this browser's Intl does not know: number and symbol below.
    }
  }
  const number = new Intl.NumberFormat(locales[lang], { maximumFractionDigits: digits }).format(value);
  return unit && unit !== '1' ? `${number} ${unit}` : number;
}

export function formatValue(value: unknown, lang: Lang, unit?: string): string {
  if (typeof value === 'number') return formatNumber(value, lang, unit);
  if (typeof value === 'boolean') return translate(lang, value ? 'common.yes' : 'common.no');
  if (value === undefined || value === null) return '—';
  return translateWord(lang, 'value', String(value));
}

export function formatMeters(meters: number, lang: Lang): string {
  return meters >= 1000 ? formatNumber(meters / 1000, lang, 'km') : formatNumber(meters, lang, 'm');
}

/** Bytes in B, kB, MB or GB (steps of 1024, as people know them from their computers). */
export function formatBytes(bytes: number | undefined, lang: Lang): string {
  if (bytes === undefined) return '—';
  if (bytes < 1024) return `${formatNumber(bytes, lang)} B`;
  const units = ['kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return new Intl.NumberFormat(locales[lang], {
    style: 'unit',
    unit: units[unit],
    maximumFractionDigits: value >= 10 ? 0 : 1,
  }).format(value);
}
