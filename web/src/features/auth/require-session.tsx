import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { useMe } from './auth.hooks';
import { SessionContext } from './session-context';
import { Loading } from '../../components/page';
import { QueryError } from '../../components/query-error';

/** Renders the child routes for a logged-in user; sends everyone else to the login page. */
export function RequireSession() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading what="Loading your session" />;
  if (me.isError) return <QueryError error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return (
    <SessionContext.Provider value={me.data}>
      <Outlet />
    </SessionContext.Provider>
  );
}
