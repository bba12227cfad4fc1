import { Link } from 'react-router-dom';
import { PageHeader } from '../../components/page';

export function ChannelsPage() {
  return (
    <>
      <PageHeader title="Channels" />
      <ul className="card-list">
        <li className="card">
          <h2 className="card__title">
            <Link to="/settings/channels/whatsapp">WhatsApp</Link>
          </h2>
          <p className="muted">Provider accounts, their callback URLs, rate and auto-reply.</p>
        </li>
      </ul>
    </>
  );
}
