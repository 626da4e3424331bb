import type { DeviceKind } from '../../../shared/kinds/index.ts';
import { type MessageKey, translateWord, useI18n } from '../i18n/i18n.ts';
import { eventTypes, metricNames } from '../kinds.ts';
import {
  type ConditionFields,
  type ConditionMode,
  type ConditionSlot,
  comparisons,
  type FormErrors,
  fieldTypes,
  partsOf,
  switchMode,
} from '../pages/rule-form.ts';
import { describedBy, Field } from './bits.tsx';

/**
 * One condition of a rule (the condition, or the clear condition): its type, then the fields of
 * that type (metric, comparison, value, bounds, durations, event types), or JSON for the others.
 * Each field shows its own error.
 */
export function ConditionEditor(props: {
  slot: ConditionSlot;
  kind: DeviceKind;
  value: ConditionFields;
  errors: FormErrors;
  onChange(value: ConditionFields): void;
}) {
  const { t, lang } = useI18n();
  const { slot, value, errors } = props;
  const id = (part: string) => `rule-${slot}-${part}`;
  const set = (change: Partial<ConditionFields>) => props.onChange({ ...value, ...change });
  const modes: ConditionMode[] = [...(slot === 'clear' ? (['none'] as const) : []), ...fieldTypes, 'json'];
  const typeError = errors[`${slot}.type`] ?? (value.mode === 'json' ? undefined : errors[slot]);
  const parts: readonly string[] = value.mode in partsOf ? partsOf[value.mode as keyof typeof partsOf] : [];

  const text = (
    part: 'value' | 'min' | 'max' | 'after' | 'olderThan',
    extra: Record<string, unknown> = {},
  ) => {
    const error = errors[`${slot}.${part}`];
    return (
      <Field id={id(part)} label={t(`conditionField.${part}` as MessageKey)} error={error}>
        <input
          id={id(part)}
          value={value[part]}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(id(part), error)}
          onInput={(e) => set({ [part]: (e.target as HTMLInputElement).value })}
          {...extra}
        />
      </Field>
    );
  };
  const select = (part: 'metric' | 'op', options: { value: string; label: string }[]) => {
    const error = errors[`${slot}.${part}`];
    return (
      <Field id={id(part)} label={t(`conditionField.${part}` as MessageKey)} error={error}>
        <select
          id={id(part)}
          value={value[part]}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(id(part), error)}
          onChange={(e) => set({ [part]: (e.target as HTMLSelectElement).value })}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </Field>
    );
  };
  const metrics = [
    { value: '', label: '—' },
    ...metricNames(props.kind).map((m) => ({ value: m, label: t(`metric.${m}` as MessageKey) })),
  ];

  return (
    <fieldset class="condition" data-testid={`${slot}-editor`}>
      <legend>{t(`ruleField.${slot}` as MessageKey)}</legend>
      <Field id={id('type')} label={t('conditionField.type')} error={typeError}>
        <select
          id={id('type')}
          value={value.mode}
          aria-invalid={typeError ? true : undefined}
          aria-describedby={describedBy(id('type'), typeError)}
          onChange={(e) =>
            props.onChange(switchMode(value, (e.target as HTMLSelectElement).value as ConditionMode))
          }
        >
          {modes.map((m) => (
            <option key={m} value={m}>
              {t(`conditionType.${m}` as MessageKey)}
            </option>
          ))}
        </select>
      </Field>
      <div class="grid">
        {parts.includes('metric') && select('metric', metrics)}
        {parts.includes('op') &&
          select(
            'op',
            comparisons.map((c) => ({ value: c, label: c })),
          )}
        {parts.includes('value') && text('value')}
        {parts.includes('min') && text('min', { inputMode: 'decimal' })}
        {parts.includes('max') && text('max', { inputMode: 'decimal' })}
        {parts.includes('after') && text('after', { placeholder: '30m' })}
        {parts.includes('olderThan') && text('olderThan', { placeholder: '7d' })}
      </div>
      {parts.includes('events') && (
        <fieldset
          class="checks"
          aria-invalid={errors[`${slot}.events`] ? true : undefined}
          aria-describedby={errors[`${slot}.events`] ? `${id('events')}-error` : undefined}
        >
          <legend>{t('conditionField.events')}</legend>
          {eventTypes(props.kind).map((type) => (
            <label key={type}>
              <input
                type="checkbox"
                checked={value.events.includes(type)}
                onChange={(e) =>
                  set({
                    events: (e.target as HTMLInputElement).checked
                      ? [...value.events, type]
                      : value.events.filter((x) => x !== type),
                  })
                }
              />{' '}
              {translateWord(lang, 'event', type)}
            </label>
          ))}
          {errors[`${slot}.events`] && (
            <small id={`${id('events')}-error`} class="field-error" role="alert">
              {errors[`${slot}.events`]}
            </small>
          )}
        </fieldset>
      )}
      {value.mode === 'json' && (
        <Field
          id={`rule-${slot}`}
          label={t('conditionField.json')}
          error={errors[slot]}
          hint={t(`ruleHint.${slot}` as MessageKey)}
        >
          <textarea
            id={`rule-${slot}`}
            rows={8}
            spellcheck={false}
            value={value.json}
            aria-invalid={errors[slot] ? true : undefined}
            aria-describedby={describedBy(`rule-${slot}`, errors[slot], 'hint')}
            onInput={(e) => set({ json: (e.target as HTMLTextAreaElement).value })}
          />
        </Field>
      )}
    </fieldset>
  );
}
