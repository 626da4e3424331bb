import { useLocation } from 'preact-iso';
import type { Session } from '../api/types.ts';
import { type Lang, languages, type MessageKey, useI18n } from '../i18n/i18n.ts';
import { isAdmin, isRegion, isRegionAdmin, useSession } from '../session.ts';
import { type TenantState, useTenantState } from '../tenant/state.ts';

/** The pages in the menu, each shown when `shows` says so (a town's pages need a town to show). */
const pages: { href: string; key: MessageKey; shows(s: Session, town: boolean): boolean }[] = [
  { href: '/region', key: 'nav.region', shows: (s) => isRegion(s) },
  { href: '/', key: 'nav.overview', shows: (_, town) => town },
  { href: '/map', key: 'nav.map', shows: (_, town) => town },
  { href: '/alerts', key: 'nav.alerts', shows: (_, town) => town },
  { href: '/rules', key: 'nav.rules', shows: (_, town) => town },
  { href: '/gateways', key: 'nav.gateways', shows: (_, town) => town },
  { href: '/users', key: 'nav.users', shows: (s, town) => town && isAdmin(s) },
  { href: '/open-data', key: 'nav.openData', shows: (s, town) => town && isAdmin(s) },
  { href: '/tenants', key: 'nav.tenants', shows: (s) => isRegionAdmin(s) },
];

/** Skip link, the pages, the town (a region account's switch), the language and the signed-in user. */
export function Header({ firing }: { firing: number }) {
  const { t } = useI18n();
  const { session, signOut } = useSession();
  const tenant = useTenantState();
  const { path } = useLocation();
  const current = (href: string) => (href === '/' ? path === '/' : path.startsWith(href));
  // During a first password change (no tenant state) only the town's pages are named, none usable.
  const town = !tenant || tenant.current !== undefined || !tenant.region;
  return (
    <>
      <a class="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header class="top">
        <span class="brand">{t('app.name')}</span>
        <nav aria-label={t('nav.label')}>
          <ul>
            {pages
              .filter((p) => p.shows(session, town))
              .map((p) => (
                <li key={p.href}>
                  <a href={p.href} aria-current={current(p.href) ? 'page' : undefined}>
                    {t(p.key)}
                    {p.href === '/alerts' && firing > 0 && (
                      <span class="count" data-testid="firing-count">
                        {' '}
                        <span class="visually-hidden">{t('alerts.firingCount', { n: firing })}</span>
                        <span aria-hidden="true">{firing}</span>
                      </span>
                    )}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <div class="tools">
          {tenant && <Town tenant={tenant} />}
          <LanguageSwitch />
          <span class="user">
            {session.user.displayName || session.user.username} ({t(`role.${session.user.role}`)})
          </span>
          <a href="/password">{t('nav.password')}</a>
          <button type="button" onClick={() => void signOut()}>
            {t('nav.signOut')}
          </button>
        </div>
      </header>
    </>
  );
}

/** A town's account: its town's name. A region account: the switch between the towns it may see. */
function Town({ tenant }: { tenant: TenantState }) {
  const { t } = useI18n();
  if (!tenant.region)
    return (
      <span class="town" data-testid="town">
        <span class="visually-hidden">{t('tenant.switch')}: </span>
        {tenant.current?.name}
      </span>
    );
  if (tenant.tenants.length === 0) return null;
  return (
    <label class="town-switch">
      <span>{t('tenant.switch')}</span>
      <select
        value={tenant.current?.id}
        data-testid="tenant-switch"
        onChange={(e) => tenant.select((e.target as HTMLSelectElement).value)}
      >
        {tenant.tenants.map((town) => (
          <option key={town.id} value={town.id}>
            {town.status === 'suspended' ? t('tenant.suspendedName', { name: town.name }) : town.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function LanguageSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <label class="lang">
      <span class="visually-hidden">{t('nav.language')}</span>
      <select value={lang} onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)}>
        {languages.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`lang.${l}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
