import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Campaign, TimelinePoint } from '../../../api/campaigns.types';
import { QueryState } from '../../../components/query-state';
import { formatDateTime, timeZoneName } from '../../../components/format';
import { useCampaignTimeline } from '../campaigns.hooks';
import { timelineEmptyText, timelineWithGaps } from './report-format';

const SERIES: ReadonlyArray<[keyof Omit<TimelinePoint, 'at'>, string, string]> = [
  ['sent', 'Sent', '#0f766e'],
  ['delivered', 'Delivered', '#2563eb'],
  ['read', 'Read', '#7c3aed'],
  ['failed', 'Failed', '#b42318'],
  ['replied', 'Replied', '#b45309'],
];

const minute = (at: number) => new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/** Per-minute counts of sent, delivered, read, failed and replied (refetched as the stream reports changes). */
export function TimelineChart({ campaign }: { campaign: Campaign }) {
  const timeline = useCampaignTimeline(campaign.id);
  return (
    <figure className="panel chart" aria-labelledby="timeline-title">
      <figcaption className="panel__title" id="timeline-title">
        Timeline
      </figcaption>
      <QueryState query={timeline} loading="Loading the timeline">
        {(data) =>
          data.length === 0 ? (
            <p className="muted">{timelineEmptyText(campaign)}</p>
          ) : (
            <div className="chart__area" role="img" aria-label={`Timeline over ${data.length} minute(s)`} data-testid="timeline-chart">
              <ResponsiveContainer width="100%" height={240}>
                {/* A time axis (not one slot per point): minutes apart are drawn apart. */}
                <LineChart data={timelineWithGaps(data)} margin={{ top: 4, right: 16, bottom: 4, left: 0 }}>
                  <CartesianGrid stroke="#e5e7eb" />
                  <XAxis dataKey="at" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={minute} />
                  <YAxis allowDecimals={false} />
                  <Tooltip labelFormatter={(at) => formatDateTime(Number(at))} />
                  <Legend />
                  {SERIES.map(([key, name, colour]) => (
                    <Line key={key} type="monotone" dataKey={key} name={name} stroke={colour} dot={data.length < 3} isAnimationActive={false} />
                  ))}
                </LineChart>
              </ResponsiveContainer>
            </div>
          )
        }
      </QueryState>
      {timeline.data && timeline.data.length > 0 ? <p className="muted chart__note">Per minute, in your time zone ({timeZoneName()}).</p> : null}
    </figure>
  );
}
