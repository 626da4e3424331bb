import { useState } from 'preact/hooks';
import { ApiError, api } from '../api/api.ts';
import type { Session } from '../api/types.ts';
import { LanguageSwitch } from '../components/header.tsx';
import { useI18n } from '../i18n/i18n.ts';

/** Username and password; a lock-out (429) says when to try again. */
export function SignInPage({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await api.signIn(username, password));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setError(t('signIn.wrong'));
      else if (e instanceof ApiError && e.status === 429) setError(t('signIn.locked'));
      else setError(`${t('error.request')} ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="sign-in">
      <div class="sign-in-lang">
        <LanguageSwitch />
      </div>
      <form onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
        <h1>{t('signIn.title')}</h1>
        <p>{t('app.name')}</p>
        <div class="field">
          <label for="username">{t('signIn.username')}</label>
          <input
            id="username"
            name="username"
            autocomplete="username"
            required
            value={username}
            onInput={(e) => setUsername((e.target as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="password">{t('signIn.password')}</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </div>
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
