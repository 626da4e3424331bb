import { useState } from 'preact/hooks';
import { api } from '../api/api.ts';
import type { OpenDataset, OpenDatasetPreview } from '../api/types.ts';
import { ErrorNote, Loading, PageTitle } from '../components/bits.tsx';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { useLoad } from '../components/load.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { isAdmin, useSession } from '../session.ts';
import { useTenantState } from '../tenant/state.ts';
import { CatalogueSettingsForm } from './open-data-catalogue.tsx';
import { DatasetForm } from './open-data-form.tsx';

/** The public address of the town's open data (docs/open-data.md). */
function publicBase(town: string): string {
  return `${location.origin}/open/${encodeURIComponent(town)}`;
}

/** A public link, shown in full (selectable) with a button that copies it. */
function PublicLink({ href, label }: { href: string; label: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <li>
      {label}: <a href={href}>{href}</a>{' '}
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard?.writeText(href).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {t('openData.copy')}
        <span class="visually-hidden"> {label}</span>
      </button>
      {copied && <span role="status"> {t('openData.copied')}</span>}
    </li>
  );
}

/** Open data (admin): the datasets the town publishes; define, change, delete, preview, copy the public links. */
export function OpenDataPage() {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const tenant = useTenantState();
  const datasets = useLoad(() => api.datasets(), []);
  const [editing, setEditing] = useState<OpenDataset | 'new' | undefined>();
  const [deleting, setDeleting] = useState<OpenDataset | undefined>();
  const [preview, setPreview] = useState<{ id: string; data?: OpenDatasetPreview; error?: Error }>();
  const [status, setStatus] = useState('');
  if (!isAdmin(session)) return <p>{t('users.adminOnly')}</p>;
  const town = tenant?.current?.id ?? session.user.tenant ?? 'default';
  const base = publicBase(town);

  async function showPreview(id: string) {
    setPreview({ id });
    try {
      setPreview({ id, data: await api.previewDataset(id) });
    } catch (e) {
      setPreview({ id, error: e as Error });
    }
  }

  return (
    <section>
      <PageTitle>{t('openData.title')}</PageTitle>
      <p>{t('openData.explain')}</p>
      <ul class="links" aria-label={t('openData.catalogueLinks')}>
        <PublicLink href={`${base}/catalog`} label={t('openData.catalogue')} />
      </ul>
      <CatalogueSettingsForm />
      {status && <p role="status">{status}</p>}
      <ErrorNote error={datasets.error} />
      <Loading when={datasets.loading && !datasets.data} />
      {editing === undefined && (
        <div class="toolbar">
          <button type="button" class="primary" onClick={() => setEditing('new')}>
            {t('openData.add')}
          </button>
        </div>
      )}
      {editing !== undefined && (
        <DatasetForm
          key={editing === 'new' ? 'new' : editing.id}
          editing={editing === 'new' ? undefined : editing}
          onCancel={() => setEditing(undefined)}
          onSaved={(d) => {
            setEditing(undefined);
            setStatus(t('openData.saved', { id: d.id }));
            datasets.reload();
          }}
        />
      )}
      {datasets.data?.items.length === 0 && <p>{t('openData.none')}</p>}
      <div class="table-wrap">
        <table data-testid="datasets-table">
          <caption class="visually-hidden">{t('openData.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('openData.id')}</th>
              <th scope="col">{t('openData.name')}</th>
              <th scope="col">{t('openData.what')}</th>
              <th scope="col">{t('openData.published')}</th>
              <th scope="col">{t('openData.links')}</th>
              <th scope="col">{t('users.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(datasets.data?.items ?? []).map((d) => (
              <tr key={d.id}>
                <th scope="row">{d.id}</th>
                <td>{d.title[lang]}</td>
                <td>
                  {t(`kind.${d.kind}` as MessageKey)} · {d.metric} ·{' '}
                  {t(`openData.fn.${d.aggregate}` as MessageKey)} ·{' '}
                  {t(`openData.per.${d.granularity}` as MessageKey)} ·{' '}
                  {t(`openData.unit.${d.unit}` as MessageKey)}
                </td>
                <td>{d.published ? t('common.yes') : t('common.no')}</td>
                <td>
                  <ul class="links">
                    <PublicLink href={`${base}/datasets/${d.id}/data.csv`} label={`CSV ${d.id}`} />
                    <PublicLink href={`${base}/datasets/${d.id}/data.json`} label={`JSON ${d.id}`} />
                  </ul>
                </td>
                <td>
                  <button type="button" onClick={() => setEditing(d)}>
                    {t('openData.edit')}
                    <span class="visually-hidden"> {d.id}</span>
                  </button>{' '}
                  <button type="button" onClick={() => void showPreview(d.id)}>
                    {t('openData.preview')}
                    <span class="visually-hidden"> {d.id}</span>
                  </button>{' '}
                  <button type="button" class="danger" onClick={() => setDeleting(d)}>
                    {t('openData.delete')}
                    <span class="visually-hidden"> {d.id}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {preview && <Preview {...preview} />}
      {deleting && (
        <ConfirmDialog
          id="delete-dataset"
          title={t('openData.deleteTitle', { id: deleting.id })}
          explain={t('openData.deleteExplain')}
          confirm={t('openData.delete')}
          danger
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deleteDataset(deleting.id);
            setDeleting(undefined);
            setStatus(t('openData.deleted', { id: deleting.id }));
            datasets.reload();
          }}
        />
      )}
    </section>
  );
}

/** The latest rows as the public would see them (a suppressed count shown as such). */
function Preview(props: { id: string; data?: OpenDatasetPreview; error?: Error }) {
  const { t } = useI18n();
  const rows = (props.data?.rows ?? []).slice(-24);
  return (
    <section class="panel" aria-labelledby="preview-title" data-testid="dataset-preview">
      <h2 id="preview-title">{t('openData.previewTitle', { id: props.id })}</h2>
      <ErrorNote error={props.error} />
      <Loading when={!props.data && !props.error} />
      {props.data && rows.length === 0 && <p>{t('openData.previewEmpty')}</p>}
      {rows.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{t('openData.previewTitle', { id: props.id })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('openData.start')}</th>
                <th scope="col">{t('openData.place')}</th>
                <th scope="col">
                  {t('openData.value')} ({props.data?.unit})
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.start}${r.district ?? r.zone}`}>
                  <td>{String(r.start)}</td>
                  <td>{String(r.district ?? r.zone)}</td>
                  <td>{r.suppressed ? t('openData.suppressed') : String(r.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
