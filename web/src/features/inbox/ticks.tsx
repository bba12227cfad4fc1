import type { Ticks } from '../../api/inbox.types';

const TICKS: Record<Ticks, { mark: string; label: string }> = {
  pending: { mark: '○', label: 'Pending' },
  sent: { mark: '✓', label: 'Sent' },
  delivered: { mark: '✓✓', label: 'Delivered' },
  read: { mark: '✓✓', label: 'Read' },
  failed: { mark: '!', label: 'Failed' },
};

/** WhatsApp-style delivery ticks of an outbound message, with the status in words for screen readers and tests. */
export function DeliveryTicks({ ticks }: { ticks: Ticks }) {
  const tick = TICKS[ticks];
  return (
    <span className={`ticks ticks--${ticks}`} title={tick.label} data-testid="ticks">
      <span aria-hidden="true">{tick.mark}</span>
      <span className="visually-hidden">{tick.label}</span>
    </span>
  );
}
