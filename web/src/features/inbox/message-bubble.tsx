import { Link } from 'react-router-dom';
import type { ConversationMessage, SharedLocation } from '../../api/inbox.types';
import { formatDateTime } from '../../components/format';
import { errorCategoryLabel, humanise } from '../campaigns/report/report-format';
import { DeliveryTicks } from './ticks';

const KIND_LABELS: Record<NonNullable<ConversationMessage['kind']>, string> = {
  campaign: 'Campaign',
  test: 'Test message',
  reply: 'Agent reply',
  auto_reply: 'Auto-reply',
  keyword_reply: 'Keyword confirmation',
};

/** A map of the place, opened in a new tab; built from the coordinates only (numbers), never from text the user sent. */
export function mapUrl({ latitude, longitude }: SharedLocation): string {
  return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=17/${latitude}/${longitude}`;
}

/** A shared location: its name and address (as text) or its coordinates, and a link to a map. */
function LocationDetails({ location }: { location: SharedLocation }) {
  const label = [location.name, location.address].filter(Boolean).join(', ');
  return (
    <p className="bubble__location" data-testid="message-location">
      Location: <bdi>{label || `${location.latitude}, ${location.longitude}`}</bdi>{' '}
      <a href={mapUrl(location)} target="_blank" rel="noreferrer noopener">
        Open map
      </a>
    </p>
  );
}

/**
 * One message. Its text is plain text from a user or a provider: rendered as text only, never as
 * HTML, and laid out in its own direction (`dir="auto"`), so Arabic or Hebrew reads right to left
 * with its punctuation where the writer put it.
 */
export function MessageBubble({ message }: { message: ConversationMessage }) {
  const inbound = message.direction === 'in';
  return (
    <li className={`bubble bubble--${inbound ? 'in' : 'out'}`} data-testid={`message-${message.direction}`}>
      {message.campaign || (!inbound && message.kind) ? (
        <p className="bubble__context">
          {!inbound && message.kind ? KIND_LABELS[message.kind] : 'Reply to'}
          {message.campaign ? (
            <>
              {' '}
              <Link to={`/campaigns/${message.campaign.id}`}>{message.campaign.name}</Link>
            </>
          ) : null}
        </p>
      ) : null}
      {message.text !== null || !message.location ? (
        <p className="bubble__text" data-testid="message-text" dir="auto">
          {message.text ?? `(${humanise(message.messageType)})`}
        </p>
      ) : null}
      {message.location ? <LocationDetails location={message.location} /> : null}
      {message.mediaUrl ? (
        <p className="bubble__media">
          <a href={message.mediaUrl} target="_blank" rel="noreferrer noopener">
            {humanise(message.messageType)} attachment
          </a>
        </p>
      ) : null}
      <p className="bubble__meta">
        <time dateTime={new Date(message.at).toISOString()}>{formatDateTime(message.at)}</time>
        {!inbound && message.ticks ? <DeliveryTicks ticks={message.ticks} /> : null}
      </p>
      {message.error && (message.error.detail || message.error.category) ? (
        <p className="bubble__error">{[message.error.category ? errorCategoryLabel(message.error.category) : null, message.error.code, message.error.detail].filter(Boolean).join(' · ')}</p>
      ) : null}
    </li>
  );
}
