import { useLocation } from 'preact-iso';
import { type Lang, languages, type MessageKey, useI18n } from '../i18n/i18n.ts';
import { isAdmin, useSession } from '../session.ts';

const pages: { href: string; key: MessageKey; admin?: boolean }[] = [
  { href: '/', key: 'nav.overview' },
  { href: '/map', key: 'nav.map' },
  { href: '/alerts', key: 'nav.alerts' },
  { href: '/rules', key: 'nav.rules' },
  { href: '/gateways', key: 'nav.gateways' },
  { href: '/users', key: 'nav.users', admin: true },
];

/** Skip link, the pages, the language and the signed-in user. */
export function Header({ firing }: { firing: number }) {
  const { t } = useI18n();
  const { session, signOut } = useSession();
  const { path } = useLocation();
  const current = (href: string) => (href === '/' ? path === '/' : path.startsWith(href));
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
              .filter((p) => !p.admin || isAdmin(session))
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
