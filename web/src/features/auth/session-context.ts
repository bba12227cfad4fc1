import { createContext, useContext } from 'react';
import type { Me } from '../../api/types';

/**
 * The logged-in session, provided by RequireSession. Pages read it from here rather than from the
 * query cache, so a page never renders against a session that is being torn down (logout,
 * expiry): RequireSession navigates away first.
 */
export const SessionContext = createContext<Me | null>(null);

/** The session of a page below RequireSession. */
export function useSession(): Me {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() is only available on pages below RequireSession.');
  return session;
}
