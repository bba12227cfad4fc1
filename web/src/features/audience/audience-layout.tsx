import { NavLink, Outlet } from 'react-router-dom';

const linkClass = ({ isActive }: { isActive: boolean }) => `side-nav__link${isActive ? ' is-active' : ''}`;

/** Audience pages with their own side navigation: Profiles, Segments, CSV import. */
export function AudienceLayout() {
  return (
    <div className="with-side-nav">
      <nav className="side-nav" aria-label="Audience">
        <p className="side-nav__heading">Audience</p>
        <ul>
          <li>
            <NavLink to="/audience/profiles" className={linkClass}>
              Profiles
            </NavLink>
          </li>
          <li>
            <NavLink to="/audience/segments" className={linkClass}>
              Segments
            </NavLink>
          </li>
          <li>
            <NavLink to="/audience/imports" className={linkClass}>
              CSV import
            </NavLink>
          </li>
        </ul>
      </nav>
      <div className="with-side-nav__content">
        <Outlet />
      </div>
    </div>
  );
}
