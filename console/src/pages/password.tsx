import { useState } from 'preact/hooks';
import { ApiError, api } from '../api/api.ts';
import { describedBy, Field, PageTitle } from '../components/bits.tsx';
import { useI18n } from '../i18n/i18n.ts';
import { useSession } from '../session.ts';

/** Change of one's own password (required when an admin has reset it). */
export function PasswordPage() {
  const { t } = useI18n();
  const { session, setSession } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setDone(false);
    if (next.length < 10 || next.length > 200) return setErrors({ newPassword: t('password.length') });
    if (next !== repeat) return setErrors({ repeat: t('password.mismatch') });
    try {
      await api.changePassword(current, next);
      setErrors({});
      setDone(true);
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
    <section>
      <PageTitle>{t('password.title')}</PageTitle>
      {session.user.mustChangePassword && <p class="notice">{t('password.mustChange')}</p>}
      <form onSubmit={submit} class="narrow">
        {input('currentPassword', current, setCurrent, 'current-password')}
        {input('newPassword', next, setNext, 'new-password')}
        {input('repeat', repeat, setRepeat, 'new-password')}
        {errors.form && (
          <p class="error" role="alert">
            {errors.form}
          </p>
        )}
        {done && (
          <p class="success" role="status">
            {t('password.changed')}
          </p>
        )}
        <button type="submit" class="primary">
          {t('password.submit')}
        </button>
      </form>
    </section>
  );
}
