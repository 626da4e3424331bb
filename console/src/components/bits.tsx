import type { ComponentChildren } from 'preact';
import { ApiError } from '../api/api.ts';
import type { MapState } from '../api/types.ts';
import type { MessageKey } from '../i18n/i18n.ts';
import { useI18n } from '../i18n/i18n.ts';

/** An error of a request, said in the page's language with the server's detail. */
export function ErrorNote({ error }: { error: Error | undefined }) {
  const { t } = useI18n();
  if (!error) return null;
  const detail = error instanceof ApiError ? `${error.status}: ${error.message}` : error.message;
  return (
    <p class="error" role="alert">
      {t('error.request')} {detail}
    </p>
  );
}

export function Loading({ when }: { when: boolean }) {
  const { t } = useI18n();
  return when ? <p aria-busy="true">{t('common.loading')}</p> : null;
}

/** A state (ok, offline, a severity) as a coloured badge with its word: colour is never the only cue. */
export function StateBadge({ state }: { state: MapState }) {
  const { t } = useI18n();
  return <span class={`badge state-${state}`}>{t(`state.${state}` as MessageKey)}</span>;
}

export function PageTitle({ children }: { children: ComponentChildren }) {
  return <h1 tabIndex={-1}>{children}</h1>;
}

export function Field(props: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  children: ComponentChildren;
}) {
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && (
        <small id={`${props.id}-hint`} class="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={`${props.id}-error`} class="field-error" role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}

/** aria-describedby for an input of a Field. */
export const describedBy = (id: string, error?: string, hint?: string) =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
