import { useState } from 'react';
import { SelectField } from '../../../components/field';
import { QueryState } from '../../../components/query-state';
import { formatDateTime } from '../../../components/format';
import { campaignMessagesCsvUrl } from '../../../api/campaigns.api';
import { LOG_STATUSES, type LogStatus } from '../../../api/campaigns.types';
import { useCampaignMessages } from '../campaigns.hooks';
import type { Campaign } from '../../../api/campaigns.types';
import { humanise, LOG_STATUS_LABELS, messageDetail, messageLogEmptyText } from './report-format';
import { ColumnHeads } from '../../../components/column-heads';

const STATUS_OPTIONS = [{ value: '', label: 'All statuses' }, ...LOG_STATUSES.map((status) => ({ value: status, label: LOG_STATUS_LABELS[status] }))];

/** The per-message log: filter by status, page through, export what matches as CSV. */
export function MessageLog({ campaign }: { campaign: Campaign }) {
  const campaignId = campaign.id;
  const [status, setStatus] = useState<LogStatus | ''>('');
  // Cursors of the pages before the current one (the first page has cursor null).
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const log = useCampaignMessages(campaignId, status, cursor);
  return (
    <section className="panel" aria-labelledby="log-title">
      <div className="panel__header">
        <h2 className="panel__title" id="log-title">
          Messages
        </h2>
        <div className="actions">
          <button type="button" className="btn btn--ghost btn--small" onClick={() => void log.refetch()} disabled={log.isFetching}>
            Refresh
          </button>
          <a className="btn btn--secondary btn--small" href={campaignMessagesCsvUrl(campaignId, status || undefined)} download>
            Export CSV
          </a>
        </div>
      </div>
      <div className="inline-form">
        <SelectField
          label="Status"
          value={status}
          onChange={(value) => {
            setStatus(value as LogStatus | '');
            setCursors([null]);
          }}
          options={STATUS_OPTIONS}
        />
      </div>
      <QueryState query={log} loading="Loading messages">
        {(data) =>
          data.items.length === 0 ? (
            <p className="muted">{messageLogEmptyText(campaign, status)}</p>
          ) : (
            <>
              <table className="table table--compact" data-testid="message-log">
                <caption className="visually-hidden">Messages of this campaign</caption>
                <ColumnHeads columns={['Identity', 'Phone', 'Status', 'Detail', 'Sent', 'Delivered', 'Read']} />
                <tbody>
                  {data.items.map((entry) => (
                    <tr key={entry.id}>
                      <td className="mono">{entry.identity ?? '—'}</td>
                      <td className="mono">{entry.phone ?? '—'}</td>
                      <td>
                        <span className={`status status--${entry.status}`}>{humanise(entry.status)}</span>
                      </td>
                      <td>{messageDetail(entry) || '—'}</td>
                      <td>{formatDateTime(entry.sentAt)}</td>
                      <td>{formatDateTime(entry.deliveredAt)}</td>
                      <td>{formatDateTime(entry.readAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="pager">
                <button type="button" className="btn btn--secondary btn--small" disabled={cursors.length <= 1} onClick={() => setCursors((current) => current.slice(0, -1))}>
                  Previous page
                </button>
                <span className="muted">Page {cursors.length}</span>
                <button
                  type="button"
                  className="btn btn--secondary btn--small"
                  disabled={!data.nextCursor || log.isPlaceholderData}
                  onClick={() => setCursors((current) => [...current, data.nextCursor])}
                >
                  Next page
                </button>
              </div>
            </>
          )
        }
      </QueryState>
    </section>
  );
}
