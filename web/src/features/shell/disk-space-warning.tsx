import { useQuery } from '@tanstack/react-query';
import { storageStatus } from '../../api/storage.api';
import { queryKeys } from '../../api/query-keys';
import { formatBytes as bytes } from '../../components/format';

/** Free space is asked again this often: it runs out over hours, and one statfs a minute per dashboard is nothing. */
const REFRESH_MS = 60_000;

/**
 * A banner on every page when the disk holding wacast's database is nearly full: first a warning,
 * then, once campaigns hold (below WACAST_DISK_HOLD_MB, 250 MB unless set), what stopped and what
 * goes on. Nothing on PostgreSQL.
 */
export function DiskSpaceWarning() {
  const status = useQuery({ queryKey: queryKeys.storage, queryFn: storageStatus, refetchInterval: REFRESH_MS });
  const disk = status.data?.disk;
  if (!disk || disk.level === 'ok') return null;
  if (disk.campaignsHeld) {
    return (
      <div className="alert alert--error" role="alert">
        <strong>Campaigns are on hold: only {bytes(disk.freeBytes)} is free on the disk that holds wacast's data.</strong>{' '}
        Running campaigns send no more messages until more than {bytes(disk.holdBelowBytes)} is free, so that delivery reports, replies and
        opt-outs can still be stored. Free up space or give the disk more room; sending then goes on by itself.
      </div>
    );
  }
  return (
    <div className="alert alert--warning" role="status">
      Only {bytes(disk.freeBytes)} of {bytes(disk.totalBytes)} is free on the disk that holds wacast's data.{' '}
      {disk.holdBelowBytes > 0 ? (
        <>
          Below {bytes(disk.holdBelowBytes)}, campaigns hold so that delivery reports, replies and opt-outs can still be stored: free up
          space or give the disk more room.
        </>
      ) : (
        <>
          Campaigns do not hold on this server (WACAST_DISK_HOLD_MB is 0): once the disk is full, delivery reports, replies and opt-outs
          cannot be stored. Free up space or give the disk more room.
        </>
      )}
    </div>
  );
}
