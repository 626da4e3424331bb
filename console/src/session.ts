import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { MapSettings, Session } from './api/types.ts';

export interface SessionState {
  session: Session;
  /** The city and map settings (/map/settings), once read. */
  settings: MapSettings | undefined;
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
