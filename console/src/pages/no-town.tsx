import { PageTitle } from '../components/bits.tsx';
import { useI18n } from '../i18n/i18n.ts';
import { isRegionAdmin, useSession } from '../session.ts';

/** A region account that may see no town yet: region staff create one, others ask to be granted one. */
export function NoTownPage() {
  const { t } = useI18n();
  const { session } = useSession();
  return (
    <section>
      <PageTitle>{t('noTown.title')}</PageTitle>
      {isRegionAdmin(session) ? (
        <p>
          {t('noTown.create')} <a href="/tenants">{t('nav.tenants')}</a>
        </p>
      ) : (
        <p>{t('noTown.ask')}</p>
      )}
    </section>
  );
}
