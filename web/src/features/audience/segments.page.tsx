import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router-dom';
import { EmptyState, Loading, PageHeader } from '../../components/page';
import { Alert } from '../../components/alert';
import { QueryError } from '../../components/query-error';
import { QueryState } from '../../components/query-state';
import { ConfirmMutationDialog } from '../../components/confirm-dialog';
import { formatDateTime } from '../../components/format';
import type { Segment } from '../../api/audience.types';
import { useDeleteSegment, useSegment, useSegments } from './segments.hooks';
import { SegmentBuilder } from './segment-builder/segment-builder';
import { useQuery } from '@tanstack/react-query';
import { estimateSegment } from '../../api/segments.api';
import { queryKeys } from '../../api/query-keys';
import { ColumnHeads } from '../../components/column-heads';

function SegmentReachCell({ id }: { id: string }) {
  const estimate = useQuery({ queryKey: queryKeys.audienceEstimate({ segmentId: id }), queryFn: ({ signal }) => estimateSegment(id, signal), staleTime: 30_000 });
  if (estimate.isPending) return <span className="muted">…</span>;
  if (estimate.isError) return <span className="text-danger">{estimate.error.message}</span>;
  return (
    <>
      {estimate.data.reachable.toLocaleString('en')} <span className="muted">of {estimate.data.total.toLocaleString('en')}</span>
    </>
  );
}

/** Segments: saved filters over profiles and events, with their reach now. */
export function SegmentsPage() {
  const segments = useSegments();
  const location = useLocation();
  const notice = (location.state as { notice?: string } | null)?.notice;
  const [deleting, setDeleting] = useState<Segment | null>(null);
  const remove = useDeleteSegment();
  return (
    <>
      <PageHeader
        title="Segments"
        description="Saved filters over profile properties and events; campaigns send to them."
        actions={
          // A link styled as a button: it navigates, so it can open in a new tab and is announced as a link.
          <Link className="btn btn--primary" to="/audience/segments/new">
            + Segment
          </Link>
        }
      />
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      <QueryState query={segments} loading="Loading segments">
        {(data) =>
          data.length === 0 ? (
            <EmptyState title="No segments yet">
              <p>Use + Segment to combine conditions on profile properties and events, and see the reach as you build.</p>
            </EmptyState>
          ) : (
            <table className="table">
              <caption className="visually-hidden">Segments</caption>
              <ColumnHeads columns={['Name', 'Reachable on WhatsApp', 'Updated', { label: 'Actions', hidden: true }]} />
              <tbody>
                {data.map((segment) => (
                  <tr key={segment.id}>
                    <td>
                      <Link to={`/audience/segments/${segment.id}`}>{segment.name}</Link>
                    </td>
                    <td>
                      <SegmentReachCell id={segment.id} />
                    </td>
                    <td>{formatDateTime(segment.updatedAt)}</td>
                    <td className="table__actions">
                      <button type="button" className="btn btn--ghost btn--small btn--danger-text" aria-label={`Delete ${segment.name}`} onClick={() => setDeleting(segment)}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>
      <ConfirmMutationDialog mutation={remove} variables={deleting?.id ?? null} title="Delete segment" confirmLabel="Delete" danger onClose={() => setDeleting(null)}>
        <p>
          Delete the segment <strong>{deleting?.name}</strong>? Profiles are not touched.
        </p>
      </ConfirmMutationDialog>
    </>
  );
}

function BackToSegments() {
  return (
    <p className="breadcrumb">
      <Link to="/audience/segments">← Back to the segments</Link>
    </p>
  );
}

export function NewSegmentPage() {
  return (
    <>
      <BackToSegments />
      <PageHeader title="New segment" />
      <SegmentBuilder />
    </>
  );
}

export function SegmentPage() {
  const { segmentId = '' } = useParams();
  const segment = useSegment(segmentId);
  if (segment.isPending) return <Loading what="Loading the segment" />;
  if (segment.isError) {
    return (
      <>
        <BackToSegments />
        <QueryError error={segment.error} onRetry={() => void segment.refetch()} />
      </>
    );
  }
  return (
    <>
      <BackToSegments />
      <PageHeader title={segment.data.name} />
      <SegmentBuilder key={segment.data.id} segment={segment.data} />
    </>
  );
}
