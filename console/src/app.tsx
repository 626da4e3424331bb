import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ErrorBoundary, LocationProvider, lazy, Route, Router, useLocation } from 'preact-iso';
import { api, onUnauthorized } from './api/api.ts';
import type { Session } from './api/types.ts';
import { ErrorNote, Loading } from './components/bits.tsx';
import { Header } from './components/header.tsx';
import {
  type I18n,
  I18nContext,
  initialLang,
  type Lang,
  rememberLang,
  translate,
  useI18n,
} from './i18n/i18n.ts';
import { useLive } from './live.ts';
import { AlertsPage } from './pages/alerts.tsx';
import { GatewaysPage } from './pages/gateways.tsx';
import { NoTownPage } from './pages/no-town.tsx';
import { OpenDataPage } from './pages/open-data.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { FirstPasswordPage, PasswordPage } from './pages/password.tsx';
import { RegionPage } from './pages/region.tsx';
import { RuleEditPage } from './pages/rule-edit.tsx';
import { RulesPage } from './pages/rules.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { TenantsPage } from './pages/tenants.tsx';
import { UsersPage } from './pages/users.tsx';
import { isRegion, isRegionAdmin, SessionContext, useSession } from './session.ts';
import { TenantScope } from './tenant/scope.tsx';
import { useTenant } from './tenant/state.ts';

// MapLibre and uPlot are most of the JavaScript: loaded with the pages that use them.
const MapPage = lazy(() => import('./pages/map.tsx').then((m) => m.MapPage));
const DevicePage = lazy(() => import('./pages/device.tsx').then((m) => m.DevicePage));

/** The console: language, session, the town shown, the layout and the pages. */
export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [session, setSession] = useState<Session | null | undefined>(undefined);

  useEffect(() => rememberLang(lang), [lang]);
  useEffect(() => {
    api.currentSession().then(
      (s) => setSession(s ?? null),
      () => setSession(null),
    );
    return onUnauthorized(() => setSession(null));
  }, []);

  // Dates before a town is shown (sign-in) are in UTC; the tenant scope gives its town's zone.
  const i18n = useMemo<I18n>(
    () => ({
      lang,
      timeZone: 'UTC',
      t: (key, params) => translate(lang, key, params),
      setLang: setLangState,
    }),
    [lang],
  );
  const signOut = useCallback(async () => {
    await api.signOut().catch(() => undefined);
    setSession(null);
  }, []);

  return (
    <I18nContext.Provider value={i18n}>
      <LocationProvider>
        {session === undefined ? (
          <p class="boot">{i18n.t('common.loading')}</p>
        ) : session === null ? (
          <SignInPage onSignedIn={setSession} />
        ) : (
          <SessionContext.Provider value={{ session, signOut, setSession }}>
            <SignedIn />
          </SessionContext.Provider>
        )}
      </LocationProvider>
    </I18nContext.Provider>
  );
}

/**
 * Signed in. A user whose password an administrator set gets only the change of it (every other
 * request would be refused, 403) at whatever page they asked for; once it is changed that page
 * shows, in the account's town, with a note that the password is changed.
 */
function SignedIn() {
  const { t } = useI18n();
  const { session } = useSession();
  const [changed, setChanged] = useState(false);
  const { path } = useLocation();
  useEffect(() => setChanged(false), [path]);
  const note = changed && (
    <p class="success" role="status">
      {t('password.changed')}
    </p>
  );
  if (session.user.mustChangePassword)
    return (
      <Layout firing={0} announcement="" opened>
        <FirstPasswordPage onChanged={() => setChanged(true)} />
      </Layout>
    );
  return (
    <TenantScope>
      <TownPages note={note} />
    </TenantScope>
  );
}

/**
 * The pages of the town shown, with the firing alerts counted in the menu and the page title, and
 * new ones announced. A region account also has the Region page (and region staff the Tenants
 * page); one that may see no town has only those.
 */
function TownPages({ note }: { note: ComponentChildren }) {
  const { t } = useI18n();
  const { session } = useSession();
  const tenant = useTenant();
  const [firing, setFiring] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const town = tenant.ready && (tenant.current !== undefined || !tenant.region);
  // Once the first town's pages show: a switch of towns later leaves the focus at the switch.
  const [opened, setOpened] = useState(false);
  useEffect(() => {
    if (tenant.ready) setOpened(true);
  }, [tenant.ready]);
  const countFiring = useCallback(() => {
    if (!town) return setFiring(0);
    api.alerts({ state: 'firing', limit: 1 }).then(
      (r) => setFiring(r.total),
      () => undefined,
    );
  }, [town, tenant.current?.id]);
  useEffect(countFiring, [countFiring]);
  useLive('connected', countFiring);
  useLive('alert', ({ transition, alert }) => {
    countFiring();
    if (transition === 'fired' || transition === 'escalated') {
      setAnnouncement(`${t(`state.${alert.severity}`)}: ${alert.summary || alert.ruleName}`);
    }
  });
  useEffect(() => {
    const base = document.title.replace(/^\(\d+\) /, '');
    document.title = firing > 0 ? `(${firing}) ${base}` : base;
  }, [firing]);

  const regionPages = [
    ...(isRegion(session) ? [<Route key="region" path="/region" component={RegionPage} />] : []),
    ...(isRegionAdmin(session) ? [<Route key="tenants" path="/tenants" component={TenantsPage} />] : []),
  ];
  return (
    <Layout firing={firing} announcement={announcement} opened={opened}>
      {note}
      <ErrorNote error={tenant.error} />
      <Loading when={!tenant.ready} />
      {tenant.ready &&
        (town ? (
          <Router key={tenant.current?.id}>
            {regionPages}
            <Route path="/" component={OverviewPage} />
            <Route path="/map" component={MapPage} />
            <Route path="/alerts" component={AlertsPage} />
            <Route path="/alerts/:id" component={AlertsPage} />
            <Route path="/devices/:id" component={DevicePage} />
            <Route path="/rules" component={RulesPage} />
            <Route path="/rules/new" component={RuleEditPage} />
            <Route path="/rules/:id" component={RuleEditPage} />
            <Route path="/gateways" component={GatewaysPage} />
            <Route path="/users" component={UsersPage} />
            <Route path="/open-data" component={OpenDataPage} />
            <Route path="/password" component={PasswordPage} />
            <Route default component={OverviewPage} />
          </Router>
        ) : (
          <Router>
            {regionPages}
            <Route path="/password" component={PasswordPage} />
            <Route default component={NoTownPage} />
          </Router>
        ))}
    </Layout>
  );
}

/** Header, the main landmark (its page's heading focused on every new page) and the announcer. */
function Layout(props: {
  firing: number;
  announcement: string;
  /** The pages show (the first town's pages, once read). */
  opened: boolean;
  children: ComponentChildren;
}) {
  const { path } = useLocation();
  // A new page: focus its heading, so keyboard and screen-reader users start there.
  useEffect(() => {
    if (props.opened) document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
  }, [path, props.opened]);
  return (
    <>
      <Header firing={props.firing} />
      <main id="main" tabIndex={-1}>
        <ErrorBoundary>{props.children}</ErrorBoundary>
      </main>
      <div class="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcer">
        {props.announcement}
      </div>
    </>
  );
}
