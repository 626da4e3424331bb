import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, scopeRequests } from '../api/api.ts';
import type { MapSettings, Tenant } from '../api/types.ts';
import { I18nContext, useI18n } from '../i18n/i18n.ts';
import { connectLive, disconnectLive } from '../live.ts';
import { useSession } from '../session.ts';
import { chooseTenant, rememberedTenant, rememberTenant, withTenant } from './choice.ts';
import { TenantContext, type TenantState } from './state.ts';

/**
 * Points the console at one town. A town's account: its own (the server knows it). A region account:
 * the town the address names (`?tenant=`), else the one this tab or browser showed last, else the
 * first it may see; every request then names it (X-Tenant) and the live stream is that town's.
 * The pages show only once requests and stream point at the town the address names, so no request
 * of a page goes out for another town or for none; switching remounts them (they read their data
 * again). Dates are shown in the town's time zone.
 */
export function TenantScope({ children }: { children: ComponentChildren }) {
  const { session } = useSession();
  const i18n = useI18n();
  const { url, query, route } = useLocation();
  const region = session.user.tenant === null;
  const [tenants, setTenants] = useState<Tenant[] | undefined>();
  const [error, setError] = useState<Error | undefined>();
  /** The town requests and the stream point at; null until the list is read. */
  const [active, setActive] = useState<string | undefined | null>(null);
  const [settings, setSettings] = useState<MapSettings | undefined>();

  const reload = useCallback(
    () =>
      api.tenants().then(
        (answer) => {
          setTenants(answer.items);
          setError(undefined);
        },
        (e: Error) => {
          setError(e);
          setTenants((known) => known ?? []);
        },
      ),
    [],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  const wanted =
    tenants === undefined
      ? null
      : region
        ? chooseTenant(
            tenants.map((t) => t.id),
            [query.tenant, active ?? undefined, rememberedTenant()],
          )
        : (session.user.tenant as string);

  useEffect(() => {
    if (wanted === null) return;
    scopeRequests(region ? wanted : undefined);
    if (wanted === undefined) disconnectLive();
    else connectLive(region ? wanted : undefined);
    if (region && wanted) rememberTenant(wanted);
    setActive(wanted);
    setSettings(undefined);
    if (wanted === undefined) return;
    let current = true;
    api.mapSettings().then(
      (s) => current && setSettings(s),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [wanted, region]);
  // The address names the town shown, so that a copied link opens the same town.
  useEffect(() => {
    if (region && wanted && query.tenant !== wanted) route(withTenant(url, wanted), true);
  }, [region, wanted, url]);
  // Signed out: the next account's requests name no town of this one.
  useEffect(
    () => () => {
      scopeRequests(undefined);
      disconnectLive();
    },
    [],
  );

  const current = tenants?.find((t) => t.id === active);
  const state = useMemo<TenantState>(
    () => ({
      region,
      tenants: tenants ?? [],
      error,
      current,
      ready: wanted !== null && wanted === active,
      settings,
      select: (id) => route(withTenant(url, id)),
      reload,
    }),
    [region, tenants, error, current, wanted, active, settings, url, reload],
  );
  const timeZone = current?.timezone ?? settings?.city?.timezone ?? 'UTC';
  const scoped = useMemo(() => ({ ...i18n, timeZone }), [i18n, timeZone]);
  return (
    <I18nContext.Provider value={scoped}>
      <TenantContext.Provider value={state}>{children}</TenantContext.Provider>
    </I18nContext.Provider>
  );
}
