import { useState } from 'preact/hooks';
import { ApiError, api } from '../api/api.ts';
import type { Gateway, GatewayConfigInput } from '../api/types.ts';
import { describedBy, ErrorNote, Field, Loading, PageTitle } from '../components/bits.tsx';
import { useLoad } from '../components/load.ts';
import { formatDateTime, formatNumber } from '../format.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { canOperate, useSession } from '../session.ts';

/** Gateways: online or offline, last heartbeat, backlog, software version; remote configuration. */
export function GatewaysPage() {
  const { t, lang, timeZone } = useI18n();
  const gateways = useLoad(() => api.gateways(), []);
  const [editing, setEditing] = useState<string | undefined>();
  const health = (g: Gateway, key: string) => g.health?.[key];
  return (
    <section>
      <PageTitle>{t('gateways.title')}</PageTitle>
      <ErrorNote error={gateways.error} />
      <Loading when={gateways.loading && !gateways.data} />
      {editing && <GatewayConfigForm id={editing} onClose={() => setEditing(undefined)} />}
      <div class="table-wrap">
        <table data-testid="gateways-table">
          <caption class="visually-hidden">{t('gateways.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('gateways.id')}</th>
              <th scope="col">{t('common.district')}</th>
              <th scope="col">{t('gateways.state')}</th>
              <th scope="col">{t('gateways.heartbeat')}</th>
              <th scope="col">{t('gateways.backlog')}</th>
              <th scope="col">{t('gateways.version')}</th>
              <th scope="col">{t('gateways.config')}</th>
            </tr>
          </thead>
          <tbody>
            {(gateways.data?.items ?? []).map((g) => (
              <tr key={g.id}>
                <th scope="row">{g.name ? `${g.name} (${g.id})` : g.id}</th>
                <td>{g.district ?? '—'}</td>
                <td>
                  <span class={`badge state-${g.state === 'online' ? 'ok' : 'offline'}`}>
                    {t(`gatewayState.${g.state}` as MessageKey)}
                  </span>
                </td>
                <td>{formatDateTime(g.lastHeartbeat, lang, timeZone)}</td>
                <td class="num">
                  {typeof health(g, 'queueDepth') === 'number'
                    ? formatNumber(health(g, 'queueDepth') as number, lang)
                    : '—'}
                </td>
                <td>{String(health(g, 'softwareVersion') ?? health(g, 'version') ?? '—')}</td>
                <td>
                  <button type="button" onClick={() => setEditing(g.id)}>
                    {t('gateways.editConfig')}
                    <span class="visually-hidden"> {g.id}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function GatewayConfigForm({ id, onClose }: { id: string; onClose(): void }) {
  const { t } = useI18n();
  const { session } = useSession();
  const current = useLoad(() => api.gatewayConfig(id), [id]);
  const [draft, setDraft] = useState<Record<string, string> | undefined>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const desired: GatewayConfigInput = current.data?.desired ?? {
    reportingIntervalS: 60,
    deadband: {},
    maxSilenceS: 900,
  };
  const values = draft ?? {
    reportingIntervalS: String(desired.reportingIntervalS),
    maxSilenceS: String(desired.maxSilenceS),
    deadband: JSON.stringify(desired.deadband),
  };
  async function save(event: Event) {
    event.preventDefault();
    setSaved(false);
    let deadband: Record<string, number>;
    try {
      deadband = JSON.parse(values.deadband || '{}');
    } catch (e) {
      return setErrors({ deadband: (e as Error).message });
    }
    try {
      await api.setGatewayConfig(id, {
        reportingIntervalS: Number(values.reportingIntervalS),
        maxSilenceS: Number(values.maxSilenceS),
        deadband,
      });
      setErrors({});
      setSaved(true);
      current.reload();
    } catch (e) {
      const fields = e instanceof ApiError ? e.fieldErrors() : new Map<string, string>();
      const byField: Record<string, string> = {};
      for (const [path, message] of fields) byField[path.split('.')[0] ?? 'form'] = message;
      setErrors(Object.keys(byField).length ? byField : { form: (e as Error).message });
    }
  }
  const input = (name: 'reportingIntervalS' | 'maxSilenceS' | 'deadband') => (
    <Field id={`gw-${name}`} label={t(`gateways.field.${name}` as MessageKey)} error={errors[name]}>
      <input
        id={`gw-${name}`}
        value={values[name]}
        inputMode={name === 'deadband' ? undefined : 'numeric'}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={describedBy(`gw-${name}`, errors[name])}
        readOnly={!canOperate(session)}
        onInput={(e) => setDraft({ ...values, [name]: (e.target as HTMLInputElement).value })}
      />
    </Field>
  );
  return (
    <section class="panel" aria-labelledby="gw-config-title" data-testid="gateway-config">
      <h2 id="gw-config-title">{t('gateways.configTitle', { id })}</h2>
      <button type="button" class="close" onClick={onClose}>
        {t('common.close')}
      </button>
      <ErrorNote error={current.error} />
      <form onSubmit={save} class="narrow">
        {input('reportingIntervalS')}
        {input('maxSilenceS')}
        {input('deadband')}
        <p class="muted">
          {t('gateways.reported')}: {current.data?.reported ? JSON.stringify(current.data.reported) : '—'}
        </p>
        {errors.form && (
          <p class="error" role="alert">
            {errors.form}
          </p>
        )}
        {saved && (
          <p class="success" role="status">
            {t('gateways.saved')}
          </p>
        )}
        {canOperate(session) && (
          <button type="submit" class="primary">
            {t('common.save')}
          </button>
        )}
      </form>
    </section>
  );
}
