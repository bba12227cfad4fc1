import { Modal } from '../../components/modal';
import { Alert } from '../../components/alert';
import { QueryState } from '../../components/query-state';
import { Fragment } from 'react';
import { formatDateTimeSeconds } from '../../components/format';
import type { ProviderAccount, RejectedCallback } from '../../api/types';
import { useRejectedCallbacks } from './providers.hooks';
import { MorePages } from '../../components/more-pages';
import { ColumnHeads } from '../../components/column-heads';

const ENDPOINTS: Record<RejectedCallback['kind'], string> = { inbound: 'Inbound', delivery: 'Delivery reports', status: 'Status' };

const ANSWERS: Record<number, string> = {
  400: 'unreadable body',
  401: 'signature refused',
  413: 'body too large',
  415: 'unreadable Content-Type',
  503: 'unsigned, asked to retry',
  200: 'accepted, failed when applied',
};

/** The body as received, with the query string and a note when it was cut. Always text, never HTML. */
function shown(callback: RejectedCallback): string {
  const parts: string[] = [];
  if (callback.query) parts.push(`?${callback.query}`);
  if (callback.contentType) parts.push(`Content-Type: ${callback.contentType}`);
  if (parts.length > 0) parts.push('');
  parts.push(callback.body === '' ? '(empty body)' : callback.body);
  if (callback.bodyTruncated) parts.push(`\n… cut here: ${callback.bodyLength.toLocaleString()} characters in all.`);
  return parts.join('\n');
}

export function RejectedCallbacksDialog({ account, onClose }: { account: ProviderAccount | null; onClose: () => void }) {
  return (
    <Modal open={account !== null} title={account ? `Rejected callbacks — ${account.nickname}` : 'Rejected callbacks'} onClose={onClose} wide>
      {account ? <RejectedCallbacks account={account} /> : null}
    </Modal>
  );
}

/** Callbacks wacast refused for this account (kept 30 days), newest first, with what arrived and why. */
function RejectedCallbacks({ account }: { account: ProviderAccount }) {
  const list = useRejectedCallbacks(account.id);
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="stack">
      <p className="muted">
        Callbacks sent to this account's URLs that wacast refused, newest first (kept 30 days, at most 10,000). They change nothing in your reports.
        {account.type === 'nexmo' ? ' A "signature refused" usually means the Signature secret here differs from the one in your Vonage dashboard.' : ''}
      </p>
      <div className="actions">
        <button type="button" className="btn btn--secondary btn--small" onClick={() => void list.refetch()} disabled={list.isFetching}>
          {list.isFetching && !list.isFetchingNextPage ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <QueryState query={list} loading="Loading rejected callbacks">
        {() =>
          items.length === 0 ? (
            <Alert kind="info">No rejected callbacks in the last 30 days.</Alert>
          ) : (
            <table className="table table--compact">
              <caption className="visually-hidden">Rejected callbacks of {account.nickname}</caption>
              <ColumnHeads columns={['Received', 'Endpoint', 'Answer', 'Reason']} />
              <tbody>
                {items.map((callback) => (
                  <Fragment key={callback.seq}>
                    <tr className="table__lead-row">
                      <td>{formatDateTimeSeconds(callback.receivedAt)}</td>
                      <td>
                        {ENDPOINTS[callback.kind]} <span className="muted">({callback.method})</span>
                      </td>
                      <td>
                        {callback.status} {ANSWERS[callback.status] ? <span className="muted">{ANSWERS[callback.status]}</span> : null}
                      </td>
                      <td>{callback.reason}</td>
                    </tr>
                    <tr>
                      <td colSpan={4}>
                        <pre className="code-block">{shown(callback)}</pre>
                      </td>
                    </tr>
                  </Fragment>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>
      <MorePages query={list} label="Older callbacks" />
    </div>
  );
}
