import { Link } from 'react-router-dom';
import { PageHeader } from '../../components/page';
import { useSession } from '../auth/session-context';

export function SettingsIndexPage() {
  const me = useSession();
  return (
    <>
      <PageHeader title="Settings" />
      <ul className="card-list">
        <li className="card">
          <h2 className="card__title">
            <Link to="/settings/channels">Channels</Link>
          </h2>
          <p className="muted">Connect the WhatsApp provider accounts (Gupshup, Nexmo) that send your messages.</p>
        </li>
        {me.user.isAdmin ? (
          <>
            <li className="card">
              <h2 className="card__title">
                <Link to="/settings/projects">Projects</Link>
              </h2>
              <p className="muted">Create projects: each has its own providers, templates, audience and campaigns.</p>
            </li>
            <li className="card">
              <h2 className="card__title">
                <Link to="/settings/api-credentials">API credentials</Link>
              </h2>
              <p className="muted">Account ID and passcode for the REST API of the current project.</p>
            </li>
          </>
        ) : null}
      </ul>
    </>
  );
}
