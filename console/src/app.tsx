import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ErrorBoundary, LocationProvider, lazy, Route, Router, useLocation } from 'preact-iso';
import { api, onUnauthorized } from './api/api.ts';
import type { MapSettings, Session } from './api/types.ts';
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
import { connectLive, disconnectLive, useLive } from './live.ts';
import { AlertsPage } from './pages/alerts.tsx';
import { GatewaysPage } from './pages/gateways.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { FirstPasswordPage, PasswordPage } from './pages/password.tsx';
import { RuleEditPage } from './pages/rule-edit.tsx';
import { RulesPage } from './pages/rules.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { UsersPage } from './pages/users.tsx';
import { SessionContext, useSession } from './session.ts';

// MapLibre and uPlot are most of the JavaScript: loaded with the pages that use them.
const MapPage = lazy(() => import('./pages/map.tsx').then((m) => m.MapPage));
const DevicePage = lazy(() => import('./pages/device.tsx').then((m) => m.DevicePage));

/** The console: language, session, the live stream, the layout and the pages. */
export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [settings, setSettings] = useState<MapSettings | undefined>(undefined);

  useEffect(() => rememberLang(lang), [lang]);
  useEffect(() => {
    api.currentSession().then(
      (s) => setSession(s ?? null),
      () => setSession(null),
    );
    return onUnauthorized(() => setSession(null));
  }, []);
  // Signed in, and past the first change of a password an administrator set (until then the
  // server refuses everything else).
  const ready = Boolean(session && !session.user.mustChangePassword);
  useEffect(() => {
    if (!ready) {
      disconnectLive();
      return;
    }
    connectLive();
    api.mapSettings().then(
      (s) => setSettings(s),
      () => setSettings(undefined),
    );
  }, [ready]);

  const i18n = useMemo<I18n>(
    () => ({
      lang,
      timeZone: settings?.city?.timezone ?? 'UTC',
      t: (key, params) => translate(lang, key, params),
      setLang: setLangState,
    }),
    [lang, settings],
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
          <SessionContext.Provider value={{ session, settings, signOut, setSession }}>
            <SignedIn />
          </SessionContext.Provider>
        )}
      </LocationProvider>
    </I18nContext.Provider>
  );
}

/**
 * The signed-in layout. A user whose password an administrator set gets only the change of it
 * (every other request would be refused, 403) at whatever page they asked for; once it is changed
 * that page shows, with a note that the password is changed.
 */
function SignedIn() {
  const { t } = useI18n();
  const { session } = useSession();
  const forced = session.user.mustChangePassword;
  const [changed, setChanged] = useState(false);
  const [firing, setFiring] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const { path } = useLocation();
  const countFiring = useCallback(() => {
    if (forced) return;
    api.alerts({ state: 'firing', limit: 1 }).then(
      (r) => setFiring(r.total),
      () => undefined,
    );
  }, [forced]);
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
  // A new page: focus its heading, so keyboard and screen-reader users start there.
  useEffect(() => {
    document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
  }, [path, forced]);
  useEffect(() => setChanged(false), [path]);

  return (
    <>
      <Header firing={firing} />
      <main id="main" tabIndex={-1}>
        {changed && (
          <p class="success" role="status">
            {t('password.changed')}
          </p>
        )}
        <ErrorBoundary>
          {forced ? (
            <FirstPasswordPage onChanged={() => setChanged(true)} />
          ) : (
            <Router>
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
              <Route path="/password" component={PasswordPage} />
              <Route default component={OverviewPage} />
            </Router>
          )}
        </ErrorBoundary>
      </main>
      <div class="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcer">
        {announcement}
      </div>
    </>
  );
}
