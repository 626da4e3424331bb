import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { MapSettings, Tenant } from '../api/types.ts';

/** The town the console shows, and the towns the account may see. */
export interface TenantState {
  /** A region account (no town of its own): it switches between the towns it may see. */
  region: boolean;
  /** The towns it may see (GET /tenants); a town's account: its own. */
  tenants: Tenant[];
  /** The list could not be read. */
  error: Error | undefined;
  /**
   * The town every request and the live stream are about now; undefined: none (a region account
   * that may see no town yet, or the list is not read yet).
   */
  current: Tenant | undefined;
  /** Requests and the stream point at the town the address names: the pages may load. */
  ready: boolean;
  /** The town's map settings (/map/settings), once read. */
  settings: MapSettings | undefined;
  /** Shows another town: the same page, its address naming the town. */
  select(id: string): void;
  /** Reads the list again (a town was created, changed or deleted). */
  reload(): Promise<void>;
}

export const TenantContext = createContext<TenantState | undefined>(undefined);

/** The tenant state, where there is one (not during a first password change). */
export const useTenantState = () => useContext(TenantContext);

export function useTenant(): TenantState {
  const state = useContext(TenantContext);
  if (!state) throw new Error('useTenant outside the tenant scope');
  return state;
}
