import { Outlet } from 'react-router-dom';
import { useSession } from '../auth/session-context';
import { Alert } from '../../components/alert';

/** Child routes for instance admins only; others get an explanation instead of a broken page. */
export function RequireAdmin() {
  const me = useSession();
  if (!me.user.isAdmin) return <Alert>Only instance admins can open this page.</Alert>;
  return <Outlet />;
}
