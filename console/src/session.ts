import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Session } from './api/types.ts';

export interface SessionState {
  session: Session;
  signOut(): Promise<void>;
  setSession(session: Session): void;
}

export const SessionContext = createContext<SessionState | undefined>(undefined);

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside a signed-in console');
  return state;
}

export const canOperate = (s: Session) => s.user.role === 'operator' || s.user.role === 'admin';
export const isAdmin = (s: Session) => s.user.role === 'admin';
/** A region account: it belongs to no town and acts on those it may see. */
export const isRegion = (s: Session) => s.user.tenant === null;
/** Region staff: a region account with the admin role (creates, suspends and deletes towns). */
export const isRegionAdmin = (s: Session) => isRegion(s) && isAdmin(s);
