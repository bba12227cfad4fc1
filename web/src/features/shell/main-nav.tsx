import { NavLink } from 'react-router-dom';
import { useSession } from '../auth/session-context';
import { useInboxCounts } from '../inbox/inbox.hooks';

export const MAIN_SECTIONS = [
  { to: '/campaigns', label: 'Campaigns' },
  { to: '/templates', label: 'Templates' },
  { to: '/audience', label: 'Audience' },
  { to: '/inbox', label: 'Inbox' },
  { to: '/settings', label: 'Settings' },
] as const;

/** Out of the Inbox, the unread count is asked again this often (one indexed count: see GET /api/v1/inbox/counts). */
const NAV_COUNT_REFRESH_MS = 30_000;

/** How many conversations have unread messages, beside "Inbox"; nothing when none has. */
function UnreadCount() {
  const counts = useInboxCounts(NAV_COUNT_REFRESH_MS);
  const unread = counts.data?.unread ?? 0;
  if (unread === 0) return null;
  return (
    <span className="badge badge--accent main-nav__count" data-testid="nav-unread">
      {unread > 999 ? '999+' : unread}
      <span className="visually-hidden"> unread</span>
    </span>
  );
}

export function MainNav() {
  const me = useSession();
  return (
    <nav className="main-nav" aria-label="Main">
      <ul>
        {MAIN_SECTIONS.map((section) => (
          <li key={section.to}>
            <NavLink to={section.to} className={({ isActive }) => `main-nav__link${isActive ? ' is-active' : ''}`}>
              {section.label}
              {section.to === '/inbox' && me.currentProjectId !== null ? <UnreadCount /> : null}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
