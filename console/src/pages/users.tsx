import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api/api.ts';
import type { Role, User } from '../api/types.ts';
import { describedBy, ErrorNote, Field, Loading, PageTitle } from '../components/bits.tsx';
import { useLoad } from '../components/load.ts';
import { formatDateTime } from '../format.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { isAdmin, useSession } from '../session.ts';

const roles: Role[] = ['viewer', 'operator', 'admin'];

/** Users (admin): add, disable or enable, reset the password. */
export function UsersPage() {
  const { t, lang, timeZone } = useI18n();
  const { session } = useSession();
  const users = useLoad(() => api.users(), []);
  const [error, setError] = useState<Error | undefined>();
  const [status, setStatus] = useState('');
  if (!isAdmin(session)) return <p>{t('users.adminOnly')}</p>;

  async function run(action: () => Promise<unknown>, done: string) {
    setError(undefined);
    try {
      await action();
      setStatus(done);
      users.reload();
    } catch (e) {
      setError(e as Error);
    }
  }
  const [resetting, setResetting] = useState<string | undefined>();

  return (
    <section>
      <PageTitle>{t('users.title')}</PageTitle>
      <AddUser
        onAdded={(u) => {
          setStatus(t('users.added', { username: u.username }));
          users.reload();
        }}
      />
      <ErrorNote error={error ?? users.error} />
      {status && <p role="status">{status}</p>}
      <Loading when={users.loading && !users.data} />
      <div class="table-wrap">
        <table data-testid="users-table">
          <caption class="visually-hidden">{t('users.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('users.username')}</th>
              <th scope="col">{t('users.displayName')}</th>
              <th scope="col">{t('users.role')}</th>
              <th scope="col">{t('users.lastSignIn')}</th>
              <th scope="col">{t('users.status')}</th>
              <th scope="col">{t('users.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(users.data?.items ?? []).map((u) => (
              <tr key={u.username}>
                <th scope="row">{u.username}</th>
                <td>{u.displayName || '—'}</td>
                <td>{t(`role.${u.role}` as MessageKey)}</td>
                <td>{formatDateTime(u.lastSignInAt, lang, timeZone)}</td>
                <td>
                  {u.disabled ? t('users.disabled') : u.lockedUntil ? t('users.locked') : t('users.active')}
                  {u.mustChangePassword && <span class="muted"> · {t('users.mustChange')}</span>}
                </td>
                <td>
                  <button
                    type="button"
                    disabled={u.username === session.user.username}
                    onClick={() =>
                      void run(
                        () => api.updateUser(u.username, { disabled: !u.disabled }),
                        t(u.disabled ? 'users.enabledDone' : 'users.disabledDone', { username: u.username }),
                      )
                    }
                  >
                    {t(u.disabled ? 'users.enable' : 'users.disable')}
                    <span class="visually-hidden"> {u.username}</span>
                  </button>{' '}
                  <button type="button" onClick={() => setResetting(u.username)}>
                    {t('users.reset')}
                    <span class="visually-hidden"> {u.username}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {resetting && (
        <ResetDialog
          username={resetting}
          onClose={() => setResetting(undefined)}
          onReset={() => {
            setResetting(undefined);
            setStatus(t('users.resetDone', { username: resetting }));
            users.reload();
          }}
        />
      )}
    </section>
  );
}

/**
 * A modal dialog (the browser's <dialog>: focus moves into it and stays there, Escape closes it)
 * for a new password of one user; on close the focus returns to the button that opened it.
 */
function ResetDialog(props: { username: string; onClose(): void; onReset(): void }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    dialog.current?.showModal();
    return () => opener?.focus();
  }, []);
  async function submit(event: Event) {
    event.preventDefault();
    if (password.length < 10 || password.length > 200) return setError(t('password.length'));
    try {
      await api.resetUser(props.username, password);
      props.onReset();
    } catch (e) {
      const fields = e instanceof ApiError ? e.fieldErrors() : new Map<string, string>();
      setError(fields.get('password') ?? (e as Error).message);
    }
  }
  return (
    <dialog
      ref={dialog}
      class="panel dialog"
      aria-labelledby="reset-title"
      aria-describedby="reset-explain"
      onClose={props.onClose}
      data-testid="reset-dialog"
    >
      <form onSubmit={submit} noValidate>
        <h2 id="reset-title">{t('users.resetTitle', { username: props.username })}</h2>
        <p id="reset-explain">{t('users.resetExplain', { username: props.username })}</p>
        <Field id="reset-password" label={t('users.newPassword')} error={error}>
          <input
            id="reset-password"
            type="password"
            autocomplete="new-password"
            required
            minLength={10}
            maxLength={200}
            value={password}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy('reset-password', error)}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </Field>
        <div class="toolbar">
          <button type="submit" class="primary">
            {t('users.resetSubmit')}
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}

function AddUser({ onAdded }: { onAdded(user: User): void }) {
  const { t } = useI18n();
  const empty = { username: '', displayName: '', role: 'viewer', password: '' };
  const [values, setValues] = useState(empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  async function submit(event: Event) {
    event.preventDefault();
    try {
      const user = await api.addUser({ ...values, role: values.role as Role });
      setValues(empty);
      setErrors({});
      onAdded(user);
    } catch (e) {
      const byField: Record<string, string> = {};
      if (e instanceof ApiError) for (const [path, message] of e.fieldErrors()) byField[path] = message;
      setErrors(Object.keys(byField).length ? byField : { form: (e as Error).message });
    }
  }
  const input = (name: 'username' | 'displayName' | 'password', type: 'text' | 'password' = 'text') => (
    <Field id={`user-${name}`} label={t(`users.${name}` as MessageKey)} error={errors[name]}>
      <input
        id={`user-${name}`}
        type={type as 'text'}
        value={values[name]}
        required={name !== 'displayName'}
        autocomplete={name === 'password' ? 'new-password' : 'off'}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={describedBy(`user-${name}`, errors[name])}
        onInput={(e) => setValues({ ...values, [name]: (e.target as HTMLInputElement).value })}
      />
    </Field>
  );
  return (
    <form class="panel grid" onSubmit={submit} aria-labelledby="add-user">
      <h2 id="add-user">{t('users.add')}</h2>
      {input('username')}
      {input('displayName')}
      <Field id="user-role" label={t('users.role')} error={errors.role}>
        <select
          id="user-role"
          value={values.role}
          onChange={(e) => setValues({ ...values, role: (e.target as HTMLSelectElement).value })}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}` as MessageKey)}
            </option>
          ))}
        </select>
      </Field>
      {input('password', 'password')}
      {errors.form && (
        <p class="error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" class="primary">
        {t('users.addSubmit')}
      </button>
    </form>
  );
}
