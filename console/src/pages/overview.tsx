import { api } from '../api/api.ts';
import type { Kind, Summary } from '../api/types.ts';
import { ErrorNote, Loading, PageTitle } from '../components/bits.tsx';
import { useLoad } from '../components/load.ts';
import { formatDateTime, formatNumber } from '../format.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { kindNames } from '../kinds.ts';
import { useLive } from '../live.ts';

/** The fleet summary per kind for the city, and per district. */
export function OverviewPage() {
  const { t, lang, timeZone } = useI18n();
  const city = useLoad(() => api.summary(), []);
  const districts = useLoad(async () => {
    const outlines = await api.districts();
    const names = outlines.features.map((f) => String(f.properties?.district)).sort();
    return Promise.all(names.map(async (name) => ({ name, summary: await api.summary(name) })));
  }, []);
  useLive('connected', () => {
    city.reload();
    districts.reload();
  });
  const figures = (summary: Summary, kind: Kind) => Object.entries(summary[kind] ?? {});

  return (
    <section>
      <PageTitle>{t('overview.title')}</PageTitle>
      <ErrorNote error={city.error} />
      <Loading when={city.loading && !city.data} />
      {city.data && (
        <>
          <p class="muted">
            {t('overview.generatedAt', { at: formatDateTime(city.data.generatedAt, lang, timeZone) })}
          </p>
          <div class="cards">
            {kindNames.map((kind) => (
              <article class="card" key={kind} aria-labelledby={`kind-${kind}`}>
                <h2 id={`kind-${kind}`}>{t(`kind.${kind}` as MessageKey)}</h2>
                <dl>
                  {figures(city.data as Summary, kind).map(([name, value]) => (
                    <div key={name}>
                      <dt>{t(`figure.${name}` as MessageKey)}</dt>
                      <dd>{formatNumber(value, lang, /Percent$/.test(name) ? '%' : undefined)}</dd>
                    </div>
                  ))}
                </dl>
              </article>
            ))}
            <article class="card" aria-labelledby="kind-gateways">
              <h2 id="kind-gateways">{t('nav.gateways')}</h2>
              <dl>
                {Object.entries(city.data.gateways).map(([name, value]) => (
                  <div key={name}>
                    <dt>{t(`figure.${name}` as MessageKey)}</dt>
                    <dd>{formatNumber(value, lang)}</dd>
                  </div>
                ))}
              </dl>
            </article>
          </div>
        </>
      )}
      <h2>{t('overview.byDistrict')}</h2>
      <ErrorNote error={districts.error} />
      <Loading when={districts.loading && !districts.data} />
      {districts.data && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{t('overview.byDistrictCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('common.district')}</th>
                {kindNames.map((kind) => (
                  <th scope="col" key={kind}>
                    {t(`kind.${kind}` as MessageKey)}
                    <br />
                    <small>{t('overview.onlineOfTotal')}</small>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {districts.data.map(({ name, summary }) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  {kindNames.map((kind) => (
                    <td key={kind} class="num">
                      {formatNumber(summary[kind]?.online ?? 0, lang)} /{' '}
                      {formatNumber(summary[kind]?.total ?? 0, lang)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
