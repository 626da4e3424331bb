import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import cs from './cs.json';
import en from './en.json';

/** Translations: keyed JSON per language; a key missing in one language is a test failure. */
export const messages = { en, cs } as const;
export type Lang = keyof typeof messages;
export type MessageKey = keyof typeof en;
export const languages: Lang[] = ['cs', 'en'];

const storageKey = 'console.lang';

/** The remembered choice, else the browser's first language we have, else English. */
export function initialLang(): Lang {
  const stored = localStorage.getItem(storageKey);
  if (stored && stored in messages) return stored as Lang;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (base && base in messages) return base as Lang;
  }
  return 'en';
}

export function rememberLang(lang: Lang): void {
  localStorage.setItem(storageKey, lang);
  document.documentElement.lang = lang;
}

/** `{name}` placeholders are replaced by params. */
export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const text: string = messages[lang][key] ?? messages.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/**
 * A word of the API in the language shown: an enumerated value of a metric or an event value
 * (`defectiveLamp` under `value.`), an event type (under `event.`), a severity, a command's
 * reason code, a counter of what a town's quotas refused; a word without a translation stays as
 * it is.
 */
export function translateWord(
  lang: Lang,
  group: 'value' | 'event' | 'eventValue' | 'state' | 'commandReason' | 'refused',
  word: string,
): string {
  const key = `${group}.${word}`;
  return (
    (messages[lang] as Record<string, string>)[key] ?? (messages.en as Record<string, string>)[key] ?? word
  );
}

export interface I18n {
  lang: Lang;
  /** The city's time zone (from /map/settings); dates are shown in it. */
  timeZone: string;
  t(key: MessageKey, params?: Record<string, string | number>): string;
  setLang(lang: Lang): void;
}

export const I18nContext = createContext<I18n>({
  lang: 'en',
  timeZone: 'UTC',
  t: (key, params) => translate('en', key, params),
  setLang: () => {},
});

export const useI18n = () => useContext(I18nContext);
