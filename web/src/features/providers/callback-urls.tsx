import { TextAreaField } from '../../components/field';
import { CopyButton } from '../../components/copy-button';
import { Alert } from '../../components/alert';
import { formatDateTime } from '../../components/format';
import type { ProviderType } from '../../api/types';

export interface CallbackUrlsProps {
  type: ProviderType;
  inbound: string;
  delivery: string;
  /** Why the URLs could not be prepared, if so. */
  error?: string | null;
  loading?: boolean;
  /** Only for saved accounts. */
  onRotate?: () => void;
  /** When callbacks last arrived; only for saved accounts. */
  arrivals?: { lastReceiptAt: number | null; lastInboundAt: number | null; lastThrottledAt: number | null };
}

/** The two read-only callback URLs, each with a copy button; they are pasted into the provider's dashboard. */
export function CallbackUrls({ type, inbound, delivery, error, loading, onRotate, arrivals }: CallbackUrlsProps) {
  const where = type === 'gupshup' ? 'your Gupshup account settings' : 'your Vonage application (inbound and status webhooks, version 0.1 or v1)';
  const placeholder = loading ? 'Preparing…' : '';
  return (
    <fieldset className="fieldset">
      <legend className="fieldset__legend">Callback URLs</legend>
      <p className="field__hint">Paste these into {where}. They are unique to this account and cannot be edited.</p>
      {error ? <Alert>Could not prepare the callback URLs: {error}</Alert> : null}
      {/* Text areas that wrap, not one-line inputs: the two URLs differ only at their end (…/inbound,
          …/delivery), which a one-line input cut off at 1280 px. */}
      <TextAreaField
        label="Inbound message callback URL"
        value={inbound}
        placeholder={placeholder}
        readOnly
        rows={2}
        spellCheck={false}
        className="field--mono field--whole-url"
        addon={<CopyButton text={inbound} name="Copy inbound URL" />}
      />
      <TextAreaField
        label="Delivery reports callback URL"
        value={delivery}
        placeholder={placeholder}
        readOnly
        rows={2}
        spellCheck={false}
        className="field--mono field--whole-url"
        hint={type === 'nexmo' ? 'Vonage calls this the status webhook.' : undefined}
        addon={<CopyButton text={delivery} name="Copy delivery URL" />}
      />
      {arrivals ? (
        <p className="field__hint" data-testid="callback-arrivals">
          Last delivery report: {arrivals.lastReceiptAt === null ? 'none received yet' : formatDateTime(arrivals.lastReceiptAt)}. Last inbound message:{' '}
          {arrivals.lastInboundAt === null ? 'none received yet' : formatDateTime(arrivals.lastInboundAt)}.
          {arrivals.lastThrottledAt === null ? null : (
            <>
              {' '}
              The provider last reported throttling on {formatDateTime(arrivals.lastThrottledAt)}: sending slowed down then. If it happens often, lower Messages per second.
            </>
          )}
        </p>
      ) : null}
      {onRotate ? (
        <div>
          <button type="button" className="btn btn--secondary btn--small" onClick={onRotate}>
            Rotate callback URLs
          </button>
        </div>
      ) : null}
    </fieldset>
  );
}
