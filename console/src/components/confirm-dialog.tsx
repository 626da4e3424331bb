import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n.ts';
import { ErrorNote, Field } from './bits.tsx';

/**
 * A modal dialog asking to confirm an action that is hard to take back (the browser's <dialog>:
 * focus moves into it and stays there, Escape closes it; on close the focus returns to the button
 * that opened it). With `typed`, the action waits until that text is typed (a town's id before its
 * deletion). The action's error is shown in the dialog, as the API says it.
 */
export function ConfirmDialog(props: {
  id: string;
  title: string;
  explain: string;
  confirm: string;
  danger?: boolean;
  typed?: { label: string; expected: string };
  onConfirm(): Promise<void>;
  onClose(): void;
}) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    dialog.current?.showModal();
    return () => opener?.focus();
  }, []);
  const allowed = !props.typed || typed.trim() === props.typed.expected;
  async function submit(event: Event) {
    event.preventDefault();
    if (!allowed || busy) return;
    setError(undefined);
    setBusy(true);
    try {
      await props.onConfirm();
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  }
  const title = `${props.id}-title`;
  const explain = `${props.id}-explain`;
  const input = `${props.id}-typed`;
  return (
    <dialog
      ref={dialog}
      class="panel dialog"
      aria-labelledby={title}
      aria-describedby={explain}
      onClose={props.onClose}
      data-testid={props.id}
    >
      <form onSubmit={submit} noValidate>
        <h2 id={title}>{props.title}</h2>
        <p id={explain}>{props.explain}</p>
        {props.typed && (
          <Field id={input} label={props.typed.label}>
            <input
              id={input}
              value={typed}
              autocomplete="off"
              spellcheck={false}
              onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
            />
          </Field>
        )}
        <ErrorNote error={error} />
        <div class="toolbar">
          <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={!allowed || busy}>
            {props.confirm}
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
