import { useState } from 'preact/hooks';
import {
  type AggregateSource,
  metricUnitOf,
  numericMetricsOf,
  sourceSpecs,
} from '../../../shared/aggregate-sources.ts';
import { ApiError, api } from '../api/api.ts';
import type { OpenDataset } from '../api/types.ts';
import { describedBy, Field } from '../components/bits.tsx';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';

/** Whether a kind declares the metric as a count of people (published with small counts suppressed). */
export const countsPeople = (kind: AggregateSource, metric: string) =>
  sourceSpecs[kind].openData.peopleCounts?.includes(metric) ?? false;

/** What a dataset may publish: each device kind, and the gateways' links. */
const sources = Object.keys(sourceSpecs) as AggregateSource[];
const aggregates = ['mean', 'sum', 'min', 'max', 'count'] as const;

/** The form's values: numbers and lists as typed, turned into a dataset on submit. */
interface Values {
  id: string;
  titleCs: string;
  titleEn: string;
  descriptionCs: string;
  descriptionEn: string;
  kind: AggregateSource;
  metric: string;
  aggregate: OpenDataset['aggregate'];
  granularity: OpenDataset['granularity'];
  unit: OpenDataset['unit'];
  delayMinutes: string;
  minCellSize: string;
  licence: NonNullable<OpenDataset['licence']>;
  keywordsCs: string;
  keywordsEn: string;
  published: boolean;
}

function valuesOf(d?: OpenDataset): Values {
  const kind = d?.kind ?? 'streetlight';
  return {
    id: d?.id ?? '',
    titleCs: d?.title.cs ?? '',
    titleEn: d?.title.en ?? '',
    descriptionCs: d?.description.cs ?? '',
    descriptionEn: d?.description.en ?? '',
    kind,
    metric: d?.metric ?? numericMetricsOf(kind)[0] ?? '',
    aggregate: d?.aggregate ?? 'mean',
    granularity: d?.granularity ?? 'hour',
    unit: d?.unit ?? 'district',
    delayMinutes: String(d?.delayMinutes ?? 0),
    minCellSize: String(d?.minCellSize ?? 10),
    licence: d?.licence ?? 'CC-BY-4.0',
    keywordsCs: (d?.keywords.cs ?? []).join(', '),
    keywordsEn: (d?.keywords.en ?? []).join(', '),
    published: d?.published ?? false,
  };
}

const words = (text: string) =>
  text
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);

function datasetOf(v: Values): OpenDataset {
  const people = countsPeople(v.kind, v.metric);
  return {
    id: v.id.trim(),
    title: { cs: v.titleCs, en: v.titleEn },
    description: { cs: v.descriptionCs, en: v.descriptionEn },
    kind: v.kind,
    metric: v.metric,
    aggregate: v.aggregate,
    granularity: v.granularity,
    unit: v.unit,
    delayMinutes: Number(v.delayMinutes),
    ...(people && { minCellSize: Number(v.minCellSize) }),
    licence: v.licence,
    keywords: { cs: words(v.keywordsCs), en: words(v.keywordsEn) },
    published: v.published,
  };
}

/** Where each field's error lands: the API's dotted paths, by field of the form. */
const fieldOfPath: Record<string, keyof Values> = {
  'title.cs': 'titleCs',
  'title.en': 'titleEn',
  'description.cs': 'descriptionCs',
  'description.en': 'descriptionEn',
  'keywords.cs': 'keywordsCs',
  'keywords.en': 'keywordsEn',
};

/** Define a dataset, or change one (its id then fixed). */
export function DatasetForm(props: {
  editing?: OpenDataset;
  onSaved(d: OpenDataset): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const [values, setValues] = useState(valuesOf(props.editing));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (change: Partial<Values>) => setValues({ ...values, ...change });
  const people = countsPeople(values.kind, values.metric);

  async function submit(event: Event) {
    event.preventDefault();
    try {
      const dataset = datasetOf(values);
      const saved = props.editing
        ? await api.saveDataset(props.editing.id, dataset)
        : await api.createDataset(dataset);
      setErrors({});
      props.onSaved(saved);
    } catch (e) {
      const byField: Record<string, string> = {};
      if (e instanceof ApiError)
        for (const [path, message] of e.fieldErrors()) {
          const field =
            fieldOfPath[path] ?? fieldOfPath[path.split('.').slice(0, 2).join('.')] ?? path.split('.')[0];
          byField[field as string] = message;
        }
      setErrors(Object.keys(byField).length ? byField : { form: (e as Error).message });
    }
  }

  const text = (name: keyof Values, label: MessageKey, multiline = false) => (
    <Field id={`dataset-${name}`} label={t(label)} error={errors[name]}>
      {multiline ? (
        <textarea
          id={`dataset-${name}`}
          rows={3}
          value={values[name] as string}
          aria-invalid={errors[name] ? true : undefined}
          aria-describedby={describedBy(`dataset-${name}`, errors[name])}
          onInput={(e) => set({ [name]: (e.target as HTMLTextAreaElement).value })}
        />
      ) : (
        <input
          id={`dataset-${name}`}
          type="text"
          value={values[name] as string}
          disabled={name === 'id' && props.editing !== undefined}
          aria-invalid={errors[name] ? true : undefined}
          aria-describedby={describedBy(`dataset-${name}`, errors[name])}
          onInput={(e) => set({ [name]: (e.target as HTMLInputElement).value })}
        />
      )}
    </Field>
  );
  const choice = <K extends keyof Values>(
    name: K,
    label: MessageKey,
    options: readonly string[],
    word: (o: string) => string,
    onPick: (v: string) => Partial<Values> = (v) => ({ [name]: v }) as Partial<Values>,
  ) => (
    <Field id={`dataset-${name}`} label={t(label)} error={errors[name]}>
      <select
        id={`dataset-${name}`}
        value={values[name] as string}
        aria-describedby={describedBy(`dataset-${name}`, errors[name])}
        onChange={(e) => set(onPick((e.target as HTMLSelectElement).value))}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {word(o)}
          </option>
        ))}
      </select>
    </Field>
  );
  const number = (name: 'delayMinutes' | 'minCellSize', label: MessageKey, hint: MessageKey) => (
    <Field id={`dataset-${name}`} label={t(label)} error={errors[name]} hint={t(hint)}>
      <input
        id={`dataset-${name}`}
        type="number"
        min={0}
        value={values[name]}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={describedBy(`dataset-${name}`, errors[name], t(hint))}
        onInput={(e) => set({ [name]: (e.target as HTMLInputElement).value })}
      />
    </Field>
  );
  const heading = props.editing ? t('openData.editTitle', { id: props.editing.id }) : t('openData.add');
  return (
    <form class="panel grid" onSubmit={submit} aria-labelledby="dataset-form-title" noValidate>
      <h2 id="dataset-form-title">{heading}</h2>
      {text('id', 'openData.id')}
      {text('titleCs', 'openData.titleCs')}
      {text('titleEn', 'openData.titleEn')}
      {text('descriptionCs', 'openData.descriptionCs', true)}
      {text('descriptionEn', 'openData.descriptionEn', true)}
      {choice(
        'kind',
        'common.kind',
        sources,
        (k) => t(`kind.${k}` as MessageKey),
        (k) => ({
          kind: k as AggregateSource,
          metric: numericMetricsOf(k as AggregateSource)[0] ?? '',
        }),
      )}
      {choice('metric', 'openData.metric', numericMetricsOf(values.kind), (m) => {
        const unit = metricUnitOf(values.kind, m);
        return unit ? `${m} (${unit})` : m;
      })}
      {choice('aggregate', 'openData.aggregate', aggregates, (a) => t(`openData.fn.${a}` as MessageKey))}
      {choice('granularity', 'openData.granularity', ['hour', 'day'], (g) =>
        t(`openData.per.${g}` as MessageKey),
      )}
      {choice('unit', 'openData.unit', ['district', 'zone'], (u) => t(`openData.unit.${u}` as MessageKey))}
      {number('delayMinutes', 'openData.delay', 'openData.delayHint')}
      {people && number('minCellSize', 'openData.minCellSize', 'openData.minCellSizeHint')}
      {choice('licence', 'openData.licence', ['CC-BY-4.0', 'CC0-1.0'], (l) => l)}
      {text('keywordsCs', 'openData.keywordsCs')}
      {text('keywordsEn', 'openData.keywordsEn')}
      <div class="field">
        <label>
          <input
            type="checkbox"
            checked={values.published}
            onChange={(e) => set({ published: (e.target as HTMLInputElement).checked })}
          />{' '}
          {t('openData.publishedLabel')}
        </label>
      </div>
      {errors.form && (
        <p class="error" role="alert">
          {errors.form}
        </p>
      )}
      <div class="toolbar">
        <button type="submit" class="primary">
          {t(props.editing ? 'common.save' : 'openData.addSubmit')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
