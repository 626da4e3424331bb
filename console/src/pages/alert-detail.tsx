import { useState } from 'preact/hooks';
import type { AlertAction } from '../api/api.ts';
import { api } from '../api/api.ts';
import type { Alert } from '../api/types.ts';
import { ErrorNote, StateBadge } from '../components/bits.tsx';
import { useLoad } from '../components/load.ts';
import { formatDateTime } from '../format.ts';
import { type MessageKey, translateWord, useI18n } from '../i18n/i18n.ts';
import { useLive } from '../live.ts';

/** One alert: what it is about, its history, and the actions on it. */
export function AlertDetail({ id, onChanged }: { id: string; onChanged(alert: Alert): void }) {
  const { t, lang, timeZone } = useI18n();
  const alert = useLoad(() => api.alert(id), [id]);
  const [text, setText] = useState('');
  const [error, setError] = useState<Error | undefined>();
  useLive('alert', ({ alert: changed }) => {
    if (changed.id === id) alert.reload();
  });
  async function act(action: AlertAction) {
    setError(undefined);
    try {
      onChanged(await api.alertAction(id, action, text));
      setText('');
      alert.reload();
    } catch (e) {
      setError(e as Error);
    }
  }
  const a = alert.data;
  return (
    <article class="panel alert-detail" aria-labelledby="alert-title" data-testid="alert-detail">
      <h2 id="alert-title">{a ? a.summary || a.ruleName : id}</h2>
      <a class="close" href="/alerts">
        {t('common.close')}
      </a>
      <ErrorNote error={alert.error} />
      {a && (
        <>
          <p>
            <StateBadge state={a.severity} /> {t(`alertState.${a.state}` as MessageKey)} · {a.ruleName} ·{' '}
            {a.subject.id}
          </p>
          {a.state !== 'resolved' && (
            <form class="actions" onSubmit={(e) => e.preventDefault()}>
              <label for="alert-text">{t('alerts.actionText')}</label>
              <input
                id="alert-text"
                value={text}
                onInput={(e) => setText((e.target as HTMLInputElement).value)}
              />
              {(['acknowledge', 'assign', 'comments', 'resolve'] as const).map((action) => (
                <button
                  key={action}
                  type="button"
                  disabled={
                    (action !== 'acknowledge' && !text.trim()) ||
                    (action === 'acknowledge' && a.state !== 'firing')
                  }
                  onClick={() => void act(action)}
                >
                  {t(`alerts.action.${action}` as MessageKey)}
                </button>
              ))}
            </form>
          )}
          <ErrorNote error={error} />
          <h3>{t('alerts.history')}</h3>
          <ol class="history">
            {(a.history ?? []).map((h) => (
              <li key={`${h.at}${h.action}`}>
                <time dateTime={h.at}>{formatDateTime(h.at, lang, timeZone)}</time> · {h.actor} ·{' '}
                {t(`history.${h.action}` as MessageKey)}
                {detailText(h.detail, (v) =>
                  h.action === 'escalated' ? translateWord(lang, 'state', v) : v,
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </article>
  );
}

/** A history entry's detail ({ note }, { assignee }, { from, to }, ...) as text. */
function detailText(detail: unknown, word: (value: string) => string): string {
  if (!detail || typeof detail !== 'object') return '';
  const values = Object.values(detail)
    .filter((v) => typeof v === 'string' || typeof v === 'number')
    .map((v) => (typeof v === 'string' ? word(v) : String(v)));
  return values.length ? `: ${values.join(' → ')}` : '';
}
