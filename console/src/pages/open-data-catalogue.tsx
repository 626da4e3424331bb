import { useState } from 'preact/hooks';
import { isValidIco } from '../../../shared/ico.ts';
import { ApiError, api } from '../api/api.ts';
import type { CatalogueSettings, CatalogueSettingsAnswer } from '../api/types.ts';
import { describedBy, Field } from '../components/bits.tsx';
import { useLoad } from '../components/load.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';

const fields = ['publisherName', 'ico', 'contactName', 'contactEmail', 'ruianMunicipality'] as const;
type Values = Record<(typeof fields)[number], string>;

function valuesOf(s?: CatalogueSettings): Values {
  return {
    publisherName: s?.publisher?.name ?? '',
    ico: s?.publisher?.ico ?? '',
    contactName: s?.contact?.name ?? '',
    contactEmail: s?.contact?.email ?? '',
    ruianMunicipality: s?.ruianMunicipality ?? '',
  };
}

/** The settings a form gives: an empty field leaves its part out (the catalogue then says it is missing). */
function settingsOf(v: Values, before?: CatalogueSettings): CatalogueSettings {
  const name = v.publisherName.trim();
  const ico = v.ico.trim();
  return {
    ...(name && { publisher: { name, ...(ico && { ico }) } }),
    ...(v.contactName.trim() && { contact: { name: v.contactName.trim(), email: v.contactEmail.trim() } }),
    ...(v.ruianMunicipality.trim() && { ruianMunicipality: v.ruianMunicipality.trim() }),
    ...(before?.homepage && { homepage: before.homepage }),
  };
}

const inputModes = {
  publisherName: 'text',
  ico: 'numeric',
  contactName: 'text',
  contactEmail: 'email',
  ruianMunicipality: 'numeric',
} as const;

const pathOf: Record<string, keyof Values> = {
  'publisher.name': 'publisherName',
  'publisher.ico': 'ico',
  'contact.name': 'contactName',
  'contact.email': 'contactEmail',
  ruianMunicipality: 'ruianMunicipality',
};

/** The catalogue's publisher (its name and IČO: the IRI NKOD names it by), contact and municipality; and what is missing. */
export function CatalogueSettingsForm() {
  const { t } = useI18n();
  const loaded = useLoad(() => api.catalogueSettings(), []);
  const [values, setValues] = useState<Values | undefined>();
  const [errors, setErrors] = useState<Partial<Record<keyof Values | 'form', string>>>({});
  const [answer, setAnswer] = useState<CatalogueSettingsAnswer | undefined>();
  const current = answer ?? loaded.data;
  const shown = values ?? valuesOf(current);

  async function submit(event: Event) {
    event.preventDefault();
    // The checksum is checked here too, so a typo is caught before the round trip.
    if (shown.ico.trim() && !isValidIco(shown.ico.trim()))
      return setErrors({ ico: t('catalogue.icoInvalid') });
    try {
      setAnswer(await api.saveCatalogueSettings(settingsOf(shown, current)));
      setValues(undefined);
      setErrors({});
    } catch (e) {
      const byField: Partial<Record<keyof Values | 'form', string>> = {};
      if (e instanceof ApiError)
        for (const [path, message] of e.fieldErrors()) byField[pathOf[path] ?? 'form'] = message;
      setErrors(Object.keys(byField).length ? byField : { form: (e as Error).message });
    }
  }

  const input = (name: keyof Values) => (
    <Field id={`catalogue-${name}`} label={t(`catalogue.${name}` as MessageKey)} error={errors[name]}>
      <input
        id={`catalogue-${name}`}
        type="text"
        inputMode={inputModes[name]}
        value={shown[name]}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={describedBy(`catalogue-${name}`, errors[name])}
        onInput={(e) => setValues({ ...shown, [name]: (e.target as HTMLInputElement).value })}
      />
    </Field>
  );
  return (
    <form class="panel grid" onSubmit={submit} aria-labelledby="catalogue-title" noValidate>
      <h2 id="catalogue-title">{t('catalogue.title')}</h2>
      {current && current.missing.length > 0 && (
        <ul data-testid="catalogue-missing" aria-label={t('catalogue.missing')}>
          {current.missing.map((gap) => (
            <li key={gap.field}>
              {t(`catalogue.gap.${gap.field}` as MessageKey)}
              {gap.required && ` (${t('catalogue.required')})`}
            </li>
          ))}
        </ul>
      )}
      {fields.map(input)}
      {errors.form && (
        <p class="error" role="alert">
          {errors.form}
        </p>
      )}
      <div class="toolbar">
        <button type="submit" class="primary">
          {t('catalogue.save')}
        </button>
      </div>
    </form>
  );
}
