import { Link, useParams } from 'react-router-dom';
import { Loading, PageHeader } from '../../components/page';
import { QueryError } from '../../components/query-error';
import { QueryState } from '../../components/query-state';
import { formatDateTime } from '../../components/format';
import type { Profile } from '../../api/audience.types';
import { errorCategoryLabel, humanise, skipReasonLabel } from '../campaigns/report/report-format';
import { useProfile, useProfileEvents, useProfileMessages } from './profiles.hooks';
import { valueText } from './profile-value';
import { MorePages } from '../../components/more-pages';
import { ColumnHeads } from '../../components/column-heads';

function Reachability({ profile }: { profile: Profile }) {
  const r = profile.reachability;
  return (
    <section className="panel" aria-labelledby="reach-title">
      <h2 className="panel__title" id="reach-title">
        WhatsApp
      </h2>
      <p data-testid="reachability">
        {r.reachable ? <span className="badge badge--success">Reachable</span> : <span className="badge badge--warning">Not reachable</span>}{' '}
        {r.reachable ? 'Campaigns can message this profile.' : (r.reasonText ?? humanise(r.reason ?? 'unknown'))}
      </p>
      <dl className="details">
        <div className="details__row">
          <dt>MSG-whatsapp</dt>
          <dd>{r.msgWhatsapp === null ? 'not set' : String(r.msgWhatsapp)}</dd>
        </div>
        <div className="details__row">
          <dt>MSG-dndWhatsApp</dt>
          <dd>{r.dndWhatsapp === null ? 'not set' : String(r.dndWhatsapp)}</dd>
        </div>
        <div className="details__row">
          <dt>Phone-level DND</dt>
          <dd>{r.phoneDnd ? `${r.phoneDnd.dnd ? 'on' : 'off'} (${r.phoneDnd.source}, ${formatDateTime(r.phoneDnd.updatedAt)})` : 'none'}</dd>
        </div>
      </dl>
    </section>
  );
}

function Properties({ profile }: { profile: Profile }) {
  const entries = Object.entries(profile.properties).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section className="panel" aria-labelledby="properties-title">
      <h2 className="panel__title" id="properties-title">
        Properties
      </h2>
      {entries.length === 0 ? (
        <p className="muted">No properties.</p>
      ) : (
        <dl className="details" data-testid="profile-properties">
          {entries.map(([key, value]) => (
            <div key={key} className="details__row">
              <dt className="mono">{key}</dt>
              <dd>{valueText(value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function EventTimeline({ identity }: { identity: string }) {
  const events = useProfileEvents(identity);
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="panel" aria-labelledby="events-title">
      <h2 className="panel__title" id="events-title">
        Events
      </h2>
      <QueryState query={events} loading="Loading events">
        {() =>
          items.length === 0 ? (
            <p className="muted">No events yet.</p>
          ) : (
            <ol className="timeline" data-testid="event-timeline">
              {items.map((event) => (
                <li key={event.id} className="timeline__item">
                  <p className="timeline__title">
                    <strong>{event.name}</strong> <span className="muted">{formatDateTime(event.ts)}</span>
                  </p>
                  {Object.keys(event.properties).length > 0 ? (
                    <p className="timeline__body">
                      {Object.entries(event.properties)
                        .map(([key, value]) => `${key}: ${valueText(value)}`)
                        .join(' · ')}
                    </p>
                  ) : null}
                </li>
              ))}
            </ol>
          )
        }
      </QueryState>
      <MorePages query={events} label="Older events" />
    </section>
  );
}

function MessagesReceived({ identity }: { identity: string }) {
  const messages = useProfileMessages(identity);
  const items = messages.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="panel" aria-labelledby="messages-title">
      <h2 className="panel__title" id="messages-title">
        Messages
      </h2>
      <QueryState query={messages} loading="Loading messages">
        {() =>
          items.length === 0 ? (
            <p className="muted">No messages sent to this profile yet.</p>
          ) : (
            <table className="table table--compact">
              <caption className="visually-hidden">Messages sent to this profile</caption>
              <ColumnHeads columns={['Campaign', 'Status', 'Detail', 'Created', 'Delivered', 'Read']} />
              <tbody>
                {items.map((message) => (
                  <tr key={message.id}>
                    <td>{message.campaignId ? <Link to={`/campaigns/${message.campaignId}`}>{message.campaignName ?? message.campaignId}</Link> : humanise(message.kind)}</td>
                    <td>
                      <span className={`status status--${message.status}`}>{humanise(message.status)}</span>
                    </td>
                    <td>{[message.skipReason ? skipReasonLabel(message.skipReason) : null, message.errorCategory ? errorCategoryLabel(message.errorCategory) : null, message.errorDetail].filter(Boolean).join(' · ') || '—'}</td>
                    <td>{formatDateTime(message.createdAt)}</td>
                    <td>{formatDateTime(message.deliveredAt)}</td>
                    <td>{formatDateTime(message.readAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>
      <MorePages query={messages} label="Older messages" />
    </section>
  );
}

/** One profile: properties, WhatsApp reachability with the reason, event timeline, messages received. */
export function ProfilePage() {
  const { identity = '' } = useParams();
  const profile = useProfile(identity);
  const back = (
    <p className="breadcrumb">
      <Link to="/audience/profiles">← Back to the profiles</Link>
    </p>
  );
  if (profile.isPending) return <Loading what="Loading the profile" />;
  if (profile.isError) {
    return (
      <>
        {back}
        <QueryError error={profile.error} onRetry={() => void profile.refetch()} />
      </>
    );
  }
  const data = profile.data;
  const name = typeof data.properties.Name === 'string' ? data.properties.Name : null;
  return (
    <>
      {back}
      <PageHeader title={name ?? data.identity} description={<span className="mono">{[data.identity, data.phone].filter(Boolean).join(' · ')}</span>} />
      <div className="chart-grid">
        <Reachability profile={data} />
        <Properties profile={data} />
      </div>
      <EventTimeline identity={data.identity} />
      <MessagesReceived identity={data.identity} />
    </>
  );
}
