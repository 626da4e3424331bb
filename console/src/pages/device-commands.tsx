import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api/api.ts';
import { type Command, type Device, finalCommandStatuses } from '../api/types.ts';
import { ErrorNote } from '../components/bits.tsx';
import { formatDateTime } from '../format.ts';
import { type MessageKey, translateWord, useI18n } from '../i18n/i18n.ts';
import { type CommandForm, commandForms } from '../kinds.ts';
import { useLive } from '../live.ts';
import { canOperate, useSession } from '../session.ts';
import { type Tracked, track } from './command-log.ts';

/**
 * The kind's commands as forms built from its zod schema (shared/kinds), and each command sent
 * with its status, followed through the live `command` events until it ends.
 */
export function DeviceCommands(props: {
  device: Device;
  commands: Tracked;
  setCommands(update: (c: Tracked) => Tracked): void;
}) {
  const { t, lang, timeZone } = useI18n();
  const { session } = useSession();
  const { device, commands, setCommands } = props;
  const forms = commandForms(device.kind);
  const [error, setError] = useState<Error | undefined>();
  // The POST's answer can come after the live events of the same command (a gateway that answers at
  // once): each update starts from the latest state and keeps the furthest status.
  const remember = (c: Command) => setCommands((tracked) => track(tracked, c));
  useEffect(() => {
    api.commands(device.id).then(
      (r) => setCommands((tracked) => r.items.reduce(track, tracked)),
      () => undefined,
    );
  }, [device.id, setCommands]);
  useLive('command', (c) => {
    if (c.deviceId === device.id) remember(c);
  });

  async function send(form: CommandForm, values: Record<string, unknown>) {
    setError(undefined);
    const command = { action: form.action, ...values };
    const checked = form.schema.safeParse(command);
    if (!checked.success) return setError(new Error(checked.error.issues.map((i) => i.message).join('; ')));
    try {
      remember(await api.sendCommand(device.id, checked.data as Record<string, unknown>));
    } catch (e) {
      setError(e instanceof ApiError ? e : (e as Error));
    }
  }

  const list = [...commands.values()]
    .filter((c) => c.deviceId === device.id)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, 10);
  return (
    <section aria-labelledby="commands-title">
      <h2 id="commands-title">{t('device.commands')}</h2>
      {canOperate(session) ? (
        forms.map((form) => <CommandFormView key={form.action} form={form} onSend={send} />)
      ) : (
        <p>{t('device.commandsNeedOperator')}</p>
      )}
      <ErrorNote error={error} />
      <h3>{t('device.commandLog')}</h3>
      <ul class="commands" aria-live="polite" data-testid="command-log">
        {list.map((c) => (
          <li key={c.id}>
            {t(`command.${String(c.command.action)}` as MessageKey)} ·{' '}
            <span class={`badge cmd-${c.status}`}>{t(`commandStatus.${c.status}` as MessageKey)}</span>
            {!finalCommandStatuses.includes(c.status) && <span class="muted"> …</span>} ·{' '}
            {formatDateTime(c.createdAt, lang, timeZone)}
            {c.detail && <span class="muted"> ({translateWord(lang, 'commandReason', c.detail)})</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function CommandFormView({
  form,
  onSend,
}: {
  form: CommandForm;
  onSend(f: CommandForm, v: Record<string, unknown>): void;
}) {
  const { t } = useI18n();
  const initial = Object.fromEntries(
    form.params.map((p) => [
      p.name,
      p.type === 'boolean' ? true : p.type === 'enum' ? p.values[0] : (p.max ?? p.min ?? 0),
    ]),
  );
  const [values, setValues] = useState<Record<string, unknown>>(initial);
  const id = (name: string) => `cmd-${form.action}-${name}`;
  return (
    <form
      class="command"
      aria-label={t(`command.${form.action}` as MessageKey)}
      onSubmit={(e) => {
        e.preventDefault();
        onSend(form, values);
      }}
    >
      {form.params.map((p) => (
        <span class="param" key={p.name}>
          <label for={id(p.name)}>
            {t(`param.${p.name}` as MessageKey)}
            {p.type === 'number' && p.unit ? ` (${p.unit})` : ''}
          </label>{' '}
          {p.type === 'boolean' ? (
            <select
              id={id(p.name)}
              value={String(values[p.name])}
              onChange={(e) =>
                setValues({ ...values, [p.name]: (e.target as HTMLSelectElement).value === 'true' })
              }
            >
              <option value="true">{t('common.yes')}</option>
              <option value="false">{t('common.no')}</option>
            </select>
          ) : p.type === 'enum' ? (
            <select
              id={id(p.name)}
              value={String(values[p.name])}
              onChange={(e) => setValues({ ...values, [p.name]: (e.target as HTMLSelectElement).value })}
            >
              {p.values.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={id(p.name)}
              type="number"
              min={p.min}
              max={p.max}
              step="any"
              required
              value={String(values[p.name])}
              onInput={(e) =>
                setValues({ ...values, [p.name]: Number((e.target as HTMLInputElement).value) })
              }
            />
          )}
        </span>
      ))}
      <button type="submit">{t(`command.${form.action}` as MessageKey)}</button>
    </form>
  );
}
