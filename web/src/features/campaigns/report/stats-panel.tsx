import type { Campaign } from '../../../api/campaigns.types';
import { count, errorCategoryLabel, percent, SKIP_REASONS } from './report-format';

/** A share is of a different whole for each number (of the targeted, of the sent…): `of` names it, on hover and for screen readers. */
function Stat({ id, label, value, share }: { id: string; label: string; value: number; share?: { part: number; whole: number; of: string } }) {
  const note = share ? percent(share.part, share.whole) : '';
  const whole = share ? `of ${count(share.whole)} ${share.of}` : '';
  return (
    <div className="stat" data-testid={`stat-${id}`}>
      <dt className="stat__label">{label}</dt>
      <dd className="stat__value">
        <span data-testid={`stat-${id}-value`}>{count(value)}</span>
        {note ? (
          <span className="stat__note" title={whole} data-testid={`stat-${id}-share`}>
            {note}
            <span className="visually-hidden"> {whole}</span>
          </span>
        ) : null}
      </dd>
    </div>
  );
}

/** The report's numbers: the funnel counts, skipped by reason, failed by error category. */
export function StatsPanel({ campaign }: { campaign: Campaign }) {
  const stats = campaign.stats;
  const categories = Object.entries(stats.failedByCategory).sort((a, b) => b[1] - a[1]);
  return (
    <section className="panel" aria-labelledby="stats-title">
      <h2 className="panel__title" id="stats-title">
        Numbers
      </h2>
      <dl className="stats">
        <Stat id="targeted" label="Targeted" value={stats.targeted} />
        <Stat id="skipped" label="Skipped" value={stats.skipped.total} share={{ part: stats.skipped.total, whole: stats.targeted, of: 'targeted' }} />
        <Stat id="queued" label="Queued" value={stats.queued} />
        <Stat id="sent" label="Sent" value={stats.sent} share={{ part: stats.sent, whole: stats.targeted - stats.skipped.total, of: 'not skipped' }} />
        <Stat id="delivered" label="Delivered" value={stats.delivered} share={{ part: stats.delivered, whole: stats.sent, of: 'sent' }} />
        <Stat id="read" label="Read" value={stats.read} share={{ part: stats.read, whole: stats.delivered, of: 'delivered' }} />
        <Stat id="failed" label="Failed" value={stats.failed} />
        <Stat id="unknown" label="Unknown" value={stats.unknown} />
        <Stat id="replied" label="Replied" value={stats.replied} share={{ part: stats.replied, whole: stats.delivered, of: 'delivered' }} />
        <Stat id="converted" label="Converted" value={stats.converted} />
        {stats.cancelled > 0 ? <Stat id="cancelled" label="Cancelled" value={stats.cancelled} /> : null}
      </dl>
      <div className="stats-breakdown">
        <div>
          <h3 className="stats-breakdown__title">Skipped by reason</h3>
          <dl className="breakdown">
            {SKIP_REASONS.map(([key, label]) => (
              <div key={key} className="breakdown__row" data-testid={`skipped-${key}`}>
                <dt>{label}</dt>
                <dd>{count(stats.skipped[key])}</dd>
              </div>
            ))}
          </dl>
        </div>
        <div>
          <h3 className="stats-breakdown__title">Failed by error category</h3>
          {categories.length === 0 ? (
            <p className="muted">No failures.</p>
          ) : (
            <dl className="breakdown">
              {categories.map(([category, value]) => (
                <div key={category} className="breakdown__row">
                  <dt>{errorCategoryLabel(category)}</dt>
                  <dd>{count(value)}</dd>
                </div>
              ))}
            </dl>
          )}
          {stats.unknown > 0 ? <p className="muted">Unknown: the provider did not answer in time; these settle when a delivery report arrives and are never re-sent blindly.</p> : null}
        </div>
      </div>
    </section>
  );
}
