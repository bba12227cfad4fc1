import { NavLink } from 'react-router-dom';

export const MAIN_SECTIONS = [
  { to: '/campaigns', label: 'Campaigns' },
  { to: '/templates', label: 'Templates' },
  { to: '/audience', label: 'Audience' },
  { to: '/inbox', label: 'Inbox' },
  { to: '/settings', label: 'Settings' },
] as const;

export function MainNav() {
  return (
    <nav className="main-nav" aria-label="Main">
      <ul>
        {MAIN_SECTIONS.map((section) => (
          <li key={section.to}>
            <NavLink to={section.to} className={({ isActive }) => `main-nav__link${isActive ? ' is-active' : ''}`}>
              {section.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
