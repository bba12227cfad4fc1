import { Link, Outlet, useNavigate } from 'react-router-dom';
import { MainNav } from './main-nav';
import { ProjectSwitcher } from './project-switcher';
import { AccountMenu } from './account-menu';
import { DiskSpaceWarning } from './disk-space-warning';
import { useLogout } from '../auth/auth.hooks';
import { useSession } from '../auth/session-context';

/** The frame of every logged-in page: brand, navigation, project switcher, the user's account menu and log out. */
export function AppLayout() {
  const me = useSession();
  const logout = useLogout();
  const navigate = useNavigate();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="wacast home">
          <span className="brand__mark" aria-hidden="true">
            wa
          </span>
          <span aria-hidden="true">cast</span>
        </Link>
        <MainNav />
        <div className="topbar__right">
          <ProjectSwitcher />
          <AccountMenu />
          <button
            type="button"
            className="btn btn--ghost btn--small"
            disabled={logout.isPending}
            onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) })}
          >
            Log out
          </button>
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        <DiskSpaceWarning />
        {me.currentProjectId === null && !me.user.isAdmin ? (
          <p className="alert alert--warning" role="status">
            You are not a member of any project yet: ask an instance admin to add you.
          </p>
        ) : null}
        <Outlet />
      </main>
    </div>
  );
}
