import { ApiError } from '../api/client';
import { Alert } from './alert';

/** The error of a failed load, with a retry button. */
export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <Alert>
      <p>{notFound ? `Not found in this project. ${message}` : message}</p>
      {onRetry && !notFound ? (
        <button type="button" className="btn btn--secondary btn--small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </Alert>
  );
}
