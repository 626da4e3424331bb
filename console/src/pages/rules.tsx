import { useState } from 'preact/hooks';
import { api } from '../api/api.ts';
import type { Rule } from '../api/types.ts';
import { ErrorNote, Loading, PageTitle, StateBadge } from '../components/bits.tsx';
import { useLoad } from '../components/load.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { canOperate, useSession } from '../session.ts';

/** The rules: list, enable or disable, export and import as JSON. */
export function RulesPage() {
  const { t } = useI18n();
  const { session } = useSession();
  const rules = useLoad(() => api.rules(), []);
  const [error, setError] = useState<Error | undefined>();
  const [status, setStatus] = useState('');
  const operator = canOperate(session);

  async function toggle(rule: Rule) {
    setError(undefined);
    try {
      await api.saveRule(rule.id, { ...rule, enabled: !rule.enabled });
      setStatus(t(rule.enabled ? 'rules.disabled' : 'rules.enabled', { id: rule.id }));
      rules.reload();
    } catch (e) {
      setError(e as Error);
    }
  }
  async function exportAll() {
    const all = await api.exportRules();
    const url = URL.createObjectURL(new Blob([JSON.stringify(all, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'rules.json';
    a.click();
    URL.revokeObjectURL(url);
  }
  async function importFile(file: File | undefined) {
    if (!file) return;
    setError(undefined);
    try {
      const list = JSON.parse(await file.text());
      const { imported } = await api.importRules(Array.isArray(list) ? list : [list]);
      setStatus(t('rules.imported', { n: imported }));
      rules.reload();
    } catch (e) {
      setError(e as Error);
    }
  }

  return (
    <section>
      <PageTitle>{t('rules.title')}</PageTitle>
      <div class="toolbar">
        {operator && (
          <a class="button primary" href="/rules/new">
            {t('rules.new')}
          </a>
        )}
        <button type="button" onClick={() => void exportAll().catch(setError)}>
          {t('rules.export')}
        </button>
        {operator && (
          <label class="button">
            {t('rules.import')}
            <input
              type="file"
              accept="application/json,.json"
              class="visually-hidden"
              onChange={(e) => void importFile((e.target as HTMLInputElement).files?.[0])}
            />
          </label>
        )}
      </div>
      <ErrorNote error={error ?? rules.error} />
      {status && <p role="status">{status}</p>}
      <Loading when={rules.loading && !rules.data} />
      <div class="table-wrap">
        <table data-testid="rules-table">
          <caption class="visually-hidden">{t('rules.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('rules.name')}</th>
              <th scope="col">{t('common.kind')}</th>
              <th scope="col">{t('alerts.severity')}</th>
              <th scope="col">{t('rules.enabledColumn')}</th>
            </tr>
          </thead>
          <tbody>
            {(rules.data?.items ?? []).map((rule) => (
              <tr key={rule.id}>
                <td>
                  <a href={`/rules/${encodeURIComponent(rule.id)}`}>{rule.name}</a>
                  <br />
                  <code class="muted">{rule.id}</code>
                </td>
                <td>{t(`kind.${rule.target.kind}` as MessageKey)}</td>
                <td>
                  <StateBadge state={rule.severity} />
                </td>
                <td>
                  <label>
                    <input
                      type="checkbox"
                      checked={rule.enabled}
                      disabled={!operator}
                      onChange={() => void toggle(rule)}
                    />{' '}
                    {t(rule.enabled ? 'rules.on' : 'rules.off')}
                    <span class="visually-hidden"> {rule.name}</span>
                  </label>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
