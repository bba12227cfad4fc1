import { NavLink, Outlet } from 'react-router-dom';
import { useSession } from '../auth/session-context';

const linkClass = ({ isActive }: { isActive: boolean }) => `side-nav__link${isActive ? ' is-active' : ''}`;

/** Settings pages with their own side navigation: Channels → WhatsApp and Keywords for every member; for admins Projects, Members, Users and API credentials. */
export function SettingsLayout() {
  const me = useSession();
  return (
    <div className="with-side-nav">
      <nav className="side-nav" aria-label="Settings">
        <p className="side-nav__heading">Settings</p>
        <ul>
          <li>
            {/* Highlighted on every page below it (WhatsApp, an account): /settings/channels itself only
                redirects there, so an exact match never happened. It is the section the page is in,
                not the page: aria-current says "true", not "page". */}
            <NavLink to="/settings/channels" aria-current="true" className={linkClass}>
              Channels
            </NavLink>
            <ul className="side-nav__sub">
              <li>
                <NavLink to="/settings/channels/whatsapp" className={linkClass}>
                  WhatsApp
                </NavLink>
              </li>
            </ul>
          </li>
          <li>
            <NavLink to="/settings/keywords" className={linkClass}>
              Keywords
            </NavLink>
          </li>
          {me.user.isAdmin ? (
            <>
              <li>
                <NavLink to="/settings/projects" className={linkClass}>
                  Projects
                </NavLink>
              </li>
              <li>
                <NavLink to="/settings/members" className={linkClass}>
                  Members
                </NavLink>
              </li>
              <li>
                <NavLink to="/settings/users" className={linkClass}>
                  Users
                </NavLink>
              </li>
              <li>
                <NavLink to="/settings/api-credentials" className={linkClass}>
                  API credentials
                </NavLink>
              </li>
            </>
          ) : null}
        </ul>
      </nav>
      <div className="with-side-nav__content">
        <Outlet />
      </div>
    </div>
  );
}
