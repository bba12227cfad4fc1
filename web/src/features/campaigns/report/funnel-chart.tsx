import { Bar, BarChart, CartesianGrid, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Campaign } from '../../../api/campaigns.types';
import { count, funnelOf } from './report-format';

/** Targeted → Sent → Delivered → Read → Replied, redrawn whenever the stream brings new numbers. */
export function FunnelChart({ campaign }: { campaign: Campaign }) {
  const data = funnelOf(campaign.stats, campaign.conversionEvent !== null);
  const summary = data.map((stage) => `${stage.stage} ${count(stage.value)}`).join(', ');
  return (
    <figure className="panel chart" aria-labelledby="funnel-title">
      <figcaption className="panel__title" id="funnel-title">
        Funnel
      </figcaption>
      <div className="chart__area" role="img" aria-label={`Funnel: ${summary}`} data-testid="funnel-chart">
        <ResponsiveContainer width="100%" height={240}>
          <BarChart data={data} layout="vertical" margin={{ top: 4, right: 48, bottom: 4, left: 8 }}>
            <CartesianGrid horizontal={false} stroke="#e5e7eb" />
            <XAxis type="number" allowDecimals={false} />
            <YAxis type="category" dataKey="stage" width={84} />
            <Tooltip formatter={(value) => count(Number(value))} />
            <Bar dataKey="value" name="Messages" fill="#0f766e" isAnimationActive={false}>
              <LabelList dataKey="value" position="right" formatter={(value) => count(Number(value))} />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
