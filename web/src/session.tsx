import { createContext, useContext } from 'react';
import type { Me, Permission } from './api.ts';

export type Session = {
  user: Me;
  /** Whether the signed-in user's role grants a permission (the server checks again). */
  can: (permission: Permission) => boolean;
  signOut: () => Promise<void>;
};

export const SessionContext = createContext<Session | null>(null);

/** The signed-in user; only used inside the signed-in shell. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession is used outside the signed-in shell');
  return session;
}
