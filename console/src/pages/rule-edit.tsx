import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { DeviceKind } from '../../../shared/kinds/index.ts';
import { ApiError, api } from '../api/api.ts';
import type { DryRun } from '../api/types.ts';
import { describedBy, ErrorNote, Field, PageTitle } from '../components/bits.tsx';
import { ConditionEditor } from '../components/condition-editor.tsx';
import { useLoad } from '../components/load.ts';
import { formatDateTime } from '../format.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { kindNames } from '../kinds.ts';
import { severities } from './alerts.tsx';
import {
  type Conditions,
  durationFields,
  type Fields,
  type FormErrors,
  fromFields,
  placeErrors,
  type ScalarField,
  toConditions,
  toFields,
  visibleFields,
} from './rule-form.ts';

/**
 * Create or edit a rule. The form is validated in the browser by the API's own zod schema
 * (shared/rules/schema.ts) before anything is sent, each issue at the field its path names; the
 * server's errors (e.g. a cron schedule node-cron cannot run) come back to the fields the same way.
 * A dry run against the last hours of data comes before saving.
 */
export function RuleEditPage({ id }: { id?: string }) {
  const { t, lang, timeZone } = useI18n();
  const { route } = useLocation();
  const existing = useLoad(async () => (id ? api.rule(id) : undefined), [id]);
  const [fields, setFields] = useState<Fields>(() => toFields(undefined));
  const [conditions, setConditions] = useState<Conditions>(() => toConditions(undefined));
  const [errors, setErrors] = useState<FormErrors>({});
  const [dry, setDry] = useState<DryRun | undefined>();
  const [saved, setSaved] = useState(false);
  const [hours, setHours] = useState(24);
  useEffect(() => {
    if (existing.data) {
      setFields(toFields(existing.data));
      setConditions(toConditions(existing.data));
    }
  }, [existing.data]);

  function collect() {
    const built = fromFields(fields, conditions, existing.data);
    if ('errors' in built) {
      setErrors(built.errors);
      focusFirstError();
      return undefined;
    }
    return built.rule;
  }
  function showServerErrors(e: unknown) {
    if (!(e instanceof ApiError)) return setErrors({ form: (e as Error).message });
    const placed = placeErrors(e.fieldErrors(), visibleFields(conditions));
    setErrors(Object.keys(placed).length ? placed : { form: e.message });
    focusFirstError();
  }
  async function dryRun() {
    setSaved(false);
    const rule = collect();
    if (!rule) return;
    setErrors({});
    try {
      setDry(await api.dryRun(rule, hours));
    } catch (e) {
      setDry(undefined);
      showServerErrors(e);
    }
  }
  async function save(event: Event) {
    event.preventDefault();
    const rule = collect();
    if (!rule) return;
    setErrors({});
    try {
      const result = id ? await api.saveRule(id, rule) : await api.createRule(rule);
      setSaved(true);
      if (!id) route(`/rules/${encodeURIComponent(result.id)}`);
    } catch (e) {
      showServerErrors(e);
    }
  }

  const text = (name: ScalarField, props: Record<string, unknown> = {}) => (
    <Field id={`rule-${name}`} label={t(`ruleField.${name}` as MessageKey)} error={errors[name]}>
      <input
        id={`rule-${name}`}
        value={String(fields[name])}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={describedBy(`rule-${name}`, errors[name])}
        onInput={(e) => setFields({ ...fields, [name]: (e.target as HTMLInputElement).value })}
        {...props}
      />
    </Field>
  );
  const select = (name: ScalarField, options: { value: string; label: string }[]) => (
    <Field id={`rule-${name}`} label={t(`ruleField.${name}` as MessageKey)} error={errors[name]}>
      <select
        id={`rule-${name}`}
        value={String(fields[name])}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={describedBy(`rule-${name}`, errors[name])}
        onChange={(e) => setFields({ ...fields, [name]: (e.target as HTMLSelectElement).value })}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
  const severityOptions = severities.map((s) => ({ value: s, label: t(`state.${s}` as MessageKey) }));

  return (
    <section>
      <PageTitle>{id ? t('rules.editTitle', { id }) : t('rules.newTitle')}</PageTitle>
      <ErrorNote error={existing.error} />
      <form class="rule-form" onSubmit={save} noValidate>
        <div class="grid">
          {text('id', { readOnly: Boolean(id), required: true, pattern: '[a-z0-9][a-z0-9-]{0,63}' })}
          {text('name', { required: true })}
          {select('severity', severityOptions)}
          {select(
            'target.kind',
            kindNames.map((k) => ({ value: k, label: t(`kind.${k}` as MessageKey) })),
          )}
          {text('target.districts')}
          {text('channels')}
          {durationFields.map((name) => text(name, { placeholder: '10m' }))}
          {select('escalateTo', [{ value: '', label: '—' }, ...severityOptions])}
        </div>
        {text('description')}
        <div class="field">
          <label>
            <input
              type="checkbox"
              checked={Boolean(fields.enabled)}
              onChange={(e) => setFields({ ...fields, enabled: (e.target as HTMLInputElement).checked })}
            />{' '}
            {t('ruleField.enabled')}
          </label>
        </div>
        {(['condition', 'clear'] as const).map((slot) => (
          <ConditionEditor
            key={slot}
            slot={slot}
            kind={fields['target.kind'] as DeviceKind}
            value={conditions[slot]}
            errors={errors}
            onChange={(value) => setConditions({ ...conditions, [slot]: value })}
          />
        ))}
        {errors.form && (
          <p class="error" role="alert" data-testid="form-error">
            {errors.form}
          </p>
        )}
        <div class="toolbar">
          <label>
            {t('rules.dryRunHours')}{' '}
            <input
              type="number"
              min={1}
              max={168}
              value={hours}
              onInput={(e) => setHours(Number((e.target as HTMLInputElement).value))}
            />
          </label>
          <button type="button" onClick={() => void dryRun()}>
            {t('rules.dryRun')}
          </button>
          <button type="submit" class="primary">
            {t('common.save')}
          </button>
        </div>
        {saved && (
          <p class="success" role="status">
            {t('rules.saved')}
          </p>
        )}
      </form>
      {dry && (
        <section aria-labelledby="dry-title" class="panel" data-testid="dry-run">
          <h2 id="dry-title">{t('rules.dryRunResult')}</h2>
          <p role="status">
            {t('rules.dryRunSummary', {
              fired: dry.fired,
              readings: dry.readings,
              events: dry.events,
              from: formatDateTime(dry.from, lang, timeZone),
              to: formatDateTime(dry.to, lang, timeZone),
            })}
          </p>
          <ul>
            {dry.devices.slice(0, 50).map((d) => (
              <li key={d.subject}>
                {d.subject}: {d.fired} · {formatDateTime(d.firstAt, lang, timeZone)}
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

function focusFirstError() {
  requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}
