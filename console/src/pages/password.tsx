import { useState } from 'preact/hooks';
import { ApiError, api } from '../api/api.ts';
import { describedBy, Field, PageTitle } from '../components/bits.tsx';
import { useI18n } from '../i18n/i18n.ts';
import { useSession } from '../session.ts';

/** Change of one's own password, from the header's link. */
export function PasswordPage() {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  return (
    <section>
      <PageTitle>{t('password.title')}</PageTitle>
      <PasswordForm onChanged={() => setDone(true)} onEdit={() => setDone(false)} />
      {done && (
        <p class="success" role="status">
          {t('password.changed')}
        </p>
      )}
    </section>
  );
}

/**
 * The first sign-in of a user an administrator created or reset: the server refuses everything
 * else until the password is changed (403), so this is shown at any page, says why, and then the
 * page asked for shows (the caller says the password is changed).
 */
export function FirstPasswordPage({ onChanged }: { onChanged(): void }) {
  const { t } = useI18n();
  return (
    <section>
      <PageTitle>{t('password.title')}</PageTitle>
      <p class="notice" id="must-change">
        {t('password.mustChange')}
      </p>
      <PasswordForm describedBy="must-change" onChanged={onChanged} />
    </section>
  );
}

/** Current, new and repeated password; marks the session as no longer needing a change. */
function PasswordForm(props: { onChanged(): void; onEdit?(): void; describedBy?: string }) {
  const { t } = useI18n();
  const { session, setSession } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});

  async function submit(event: Event) {
    event.preventDefault();
    props.onEdit?.();
    if (next.length < 10 || next.length > 200) return setErrors({ newPassword: t('password.length') });
    if (next !== repeat) return setErrors({ repeat: t('password.mismatch') });
    try {
      await api.changePassword(current, next);
      setErrors({});
      setCurrent('');
      setNext('');
      setRepeat('');
      props.onChanged();
      setSession({ ...session, user: { ...session.user, mustChangePassword: false } });
    } catch (e) {
      const fields = e instanceof ApiError ? Object.fromEntries(e.fieldErrors()) : {};
      if (e instanceof ApiError && e.status === 401) fields.currentPassword = t('password.wrongCurrent');
      setErrors(Object.keys(fields).length ? fields : { form: (e as Error).message });
    }
  }
  const input = (id: string, value: string, set: (v: string) => void, autocomplete: string) => (
    <Field id={id} label={t(`password.${id}` as 'password.currentPassword')} error={errors[id]}>
      <input
        id={id}
        type="password"
        autocomplete={autocomplete}
        required
        value={value}
        aria-invalid={errors[id] ? true : undefined}
        aria-describedby={describedBy(id, errors[id])}
        onInput={(e) => set((e.target as HTMLInputElement).value)}
      />
    </Field>
  );
  return (
    <form onSubmit={submit} class="narrow" aria-describedby={props.describedBy}>
      {input('currentPassword', current, setCurrent, 'current-password')}
      {input('newPassword', next, setNext, 'new-password')}
      {input('repeat', repeat, setRepeat, 'new-password')}
      {errors.form && (
        <p class="error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" class="primary">
        {t('password.submit')}
      </button>
    </form>
  );
}
