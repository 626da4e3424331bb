import { useState } from 'preact/hooks';
import { ApiError, api } from '../api/api.ts';
import type { Tenant } from '../api/types.ts';
import { describedBy, ErrorNote, Field } from '../components/bits.tsx';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import {
  emptyTenantForm,
  placeFields,
  quotaFields,
  type TenantField,
  type TenantFormValues,
  tenantFormOf,
  toNewTenant,
  toTenantChange,
} from '../tenant/form-values.ts';

/** The browser's time zones, offered while typing one. */
const timeZones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

/** Field errors by the API's path, or the whole problem when it names no field. */
function errorsOf(e: unknown): { fields: Record<string, string>; problem: Error | undefined } {
  const fields = Object.fromEntries(e instanceof ApiError ? e.fieldErrors() : []);
  return Object.keys(fields).length > 0 ? { fields, problem: undefined } : { fields, problem: e as Error };
}

function TenantInput(props: {
  field: TenantField;
  values: TenantFormValues;
  errors: Record<string, string>;
  set(values: TenantFormValues): void;
  readOnly?: boolean;
}) {
  const { t } = useI18n();
  const { field, values, errors } = props;
  const id = `tenant-${field.replace('.', '-')}`;
  const hint = field === 'id' ? t('tenantHint.id') : undefined;
  const numeric = field.startsWith('location.') || field.startsWith('quotas.');
  return (
    <Field id={id} label={t(`tenantField.${field}` as MessageKey)} error={errors[field]} hint={hint}>
      <input
        id={id}
        value={values[field]}
        required={!field.startsWith('quotas.')}
        readOnly={props.readOnly}
        autocomplete="off"
        inputMode={numeric ? 'decimal' : undefined}
        list={field === 'timezone' ? 'time-zones' : undefined}
        aria-invalid={errors[field] ? true : undefined}
        aria-describedby={describedBy(id, errors[field], hint)}
        onInput={(e) => props.set({ ...values, [field]: (e.target as HTMLInputElement).value })}
      />
    </Field>
  );
}

/** A new town: its id, name, time zone and location; quotas left empty take the installation's. */
export function NewTenantForm({ onCreated }: { onCreated(town: Tenant): void }) {
  const { t } = useI18n();
  const [values, setValues] = useState(emptyTenantForm);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Error | undefined>();
  async function submit(event: Event) {
    event.preventDefault();
    try {
      const town = await api.createTenant(toNewTenant(values));
      setValues(emptyTenantForm);
      setErrors({});
      setProblem(undefined);
      onCreated(town);
    } catch (e) {
      const { fields, problem } = errorsOf(e);
      setErrors(fields);
      setProblem(problem);
    }
  }
  const input = (field: TenantField) => (
    <TenantInput key={field} field={field} values={values} errors={errors} set={setValues} />
  );
  return (
    <form class="panel grid spaced" onSubmit={submit} aria-labelledby="new-tenant" noValidate>
      <h2 id="new-tenant">{t('tenants.add')}</h2>
      {placeFields.map(input)}
      <datalist id="time-zones">
        {timeZones.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
      <h3 class="span">{t('tenants.quotas')}</h3>
      <p class="span muted">{t('tenants.quotasDefault')}</p>
      {quotaFields.map(input)}
      <div class="span">
        <ErrorNote error={problem} />
      </div>
      <button type="submit" class="primary">
        {t('tenants.addSubmit')}
      </button>
    </form>
  );
}

/** A town's name and quotas (its id, time zone and location stay). */
export function TenantChangeForm(props: { town: Tenant; onClose(): void; onChanged(town: Tenant): void }) {
  const { t } = useI18n();
  const { town } = props;
  const [values, setValues] = useState(() => tenantFormOf(town));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Error | undefined>();
  async function submit(event: Event) {
    event.preventDefault();
    try {
      props.onChanged(await api.changeTenant(town.id, toTenantChange(values, town)));
    } catch (e) {
      const { fields, problem } = errorsOf(e);
      setErrors(fields);
      setProblem(problem);
    }
  }
  return (
    <section class="panel" aria-labelledby="change-tenant" data-testid="tenant-change">
      <h2 id="change-tenant">{t('tenants.changeTitle', { name: town.name })}</h2>
      <button type="button" class="close" onClick={props.onClose}>
        {t('common.close')}
      </button>
      <form class="grid" onSubmit={submit} noValidate>
        <TenantInput field="name" values={values} errors={errors} set={setValues} />
        {quotaFields.map((field) => (
          <TenantInput key={field} field={field} values={values} errors={errors} set={setValues} />
        ))}
        <div class="span">
          <ErrorNote error={problem} />
        </div>
        <button type="submit" class="primary">
          {t('common.save')}
        </button>
      </form>
    </section>
  );
}
