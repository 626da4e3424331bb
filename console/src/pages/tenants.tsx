import { useState } from 'preact/hooks';
import { api } from '../api/api.ts';
import type { Tenant, TenantUsage } from '../api/types.ts';
import { ErrorNote, PageTitle } from '../components/bits.tsx';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { useLoad } from '../components/load.ts';
import { formatBytes, formatNumber } from '../format.ts';
import { type MessageKey, translateWord, useI18n } from '../i18n/i18n.ts';
import { isRegionAdmin, useSession } from '../session.ts';
import { useTenant } from '../tenant/state.ts';
import { NewTenantForm, TenantChangeForm } from './tenant-forms.tsx';

type Confirming = { action: 'suspend' | 'resume' | 'delete'; town: Tenant };

/**
 * Towns (region staff): each with its status and what it uses of its quotas; create one, change
 * its name and quotas, suspend or resume it, delete it with all its data.
 */
export function TenantsPage() {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const { tenants, reload } = useTenant();
  const usage = useLoad(
    () =>
      Promise.all(
        tenants.map((town) =>
          api.tenantUsage(town.id).then(
            (u): [string, TenantUsage] => [town.id, u],
            (): [string, undefined] => [town.id, undefined],
          ),
        ),
      ).then((pairs) => new Map(pairs)),
    [tenants],
  );
  const [editing, setEditing] = useState<Tenant | undefined>();
  const [confirming, setConfirming] = useState<Confirming | undefined>();
  const [status, setStatus] = useState('');
  if (!isRegionAdmin(session)) return <p>{t('tenants.staffOnly')}</p>;

  const done = async (message: string) => {
    setStatus(message);
    await reload();
  };
  const used = (town: Tenant, name: 'devices' | 'gateways') => {
    const value = usage.data?.get(town.id)?.[name];
    return `${value === undefined ? '—' : formatNumber(value, lang)} / ${formatNumber(town.quotas[name], lang)}`;
  };
  const refused = (town: Tenant) =>
    Object.entries(usage.data?.get(town.id)?.refused ?? {})
      .filter(([, n]) => n > 0)
      .map(([name, n]) => `${translateWord(lang, 'refused', name)}: ${formatNumber(n, lang)}`)
      .join(', ') || '—';

  return (
    <section>
      <PageTitle>{t('tenants.title')}</PageTitle>
      {status && <p role="status">{status}</p>}
      <ErrorNote error={usage.error} />
      {editing && (
        <TenantChangeForm
          town={editing}
          onClose={() => setEditing(undefined)}
          onChanged={(town) => {
            setEditing(undefined);
            void done(t('tenants.changed', { name: town.name }));
          }}
        />
      )}
      <div class="table-wrap">
        <table data-testid="tenants-table">
          <caption class="visually-hidden">{t('tenants.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('tenants.town')}</th>
              <th scope="col">{t('tenants.status')}</th>
              <th scope="col">{t('tenants.devices')}</th>
              <th scope="col">{t('tenants.gateways')}</th>
              <th scope="col">{t('tenants.messagesPerSecond')}</th>
              <th scope="col">{t('tenants.deadLetters')}</th>
              <th scope="col">{t('tenants.retentionDays')}</th>
              <th scope="col">{t('tenants.refused')}</th>
              <th scope="col">{t('tenants.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {tenants.map((town) => (
              <tr key={town.id} data-tenant={town.id}>
                <th scope="row">
                  {town.name}
                  <br />
                  <small class="muted">{town.id}</small>
                </th>
                <td>
                  <span class={`badge state-${town.status === 'active' ? 'ok' : 'offline'}`}>
                    {t(`tenantStatus.${town.status}` as MessageKey)}
                  </span>
                </td>
                <td class="num">{used(town, 'devices')}</td>
                <td class="num">{used(town, 'gateways')}</td>
                <td class="num">{formatNumber(town.quotas.messagesPerSecond, lang)}</td>
                <td class="num">
                  {formatBytes(usage.data?.get(town.id)?.deadLetterBytes, lang)} /{' '}
                  {formatBytes(town.quotas.deadLetterBytes, lang)}
                </td>
                <td class="num">{formatNumber(town.quotas.retentionDays, lang)}</td>
                <td>{refused(town)}</td>
                <td>
                  <div class="actions">
                    <button type="button" onClick={() => setEditing(town)}>
                      {t('tenants.edit')}
                      <span class="visually-hidden"> {town.name}</span>
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        setConfirming({ action: town.status === 'active' ? 'suspend' : 'resume', town })
                      }
                    >
                      {t(town.status === 'active' ? 'tenants.suspend' : 'tenants.resume')}
                      <span class="visually-hidden"> {town.name}</span>
                    </button>
                    <button type="button" onClick={() => setConfirming({ action: 'delete', town })}>
                      {t('tenants.delete')}
                      <span class="visually-hidden"> {town.name}</span>
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {tenants.length === 0 && <p>{t('tenants.none')}</p>}
      <NewTenantForm onCreated={(town) => void done(t('tenants.created', { name: town.name }))} />
      {confirming && (
        <TenantConfirm
          {...confirming}
          onClose={() => setConfirming(undefined)}
          onDone={(message) => {
            setConfirming(undefined);
            void done(message);
          }}
        />
      )}
    </section>
  );
}

/** The confirmation of a suspension, a resumption or a deletion (which needs the town's id typed). */
function TenantConfirm(props: Confirming & { onClose(): void; onDone(message: string): void }) {
  const { t } = useI18n();
  const { action, town } = props;
  const name = { name: town.name, id: town.id };
  const run = {
    suspend: () => api.suspendTenant(town.id),
    resume: () => api.resumeTenant(town.id),
    delete: () => api.deleteTenant(town.id),
  }[action];
  return (
    <ConfirmDialog
      id={`${action}-dialog`}
      title={t(`tenants.${action}Title`, name)}
      explain={t(`tenants.${action}Explain`, name)}
      confirm={t(`tenants.${action}Confirm`)}
      danger={action !== 'resume'}
      typed={action === 'delete' ? { label: t('tenants.deleteType', name), expected: town.id } : undefined}
      onConfirm={async () => {
        await run();
        props.onDone(t(`tenants.${action}Done`, name));
      }}
      onClose={props.onClose}
    />
  );
}
