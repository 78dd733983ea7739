// The head of a stacked usage chart (the overview's, a user's trend): its title says what is drawn
// and in which buckets, and its two choices pick the measure and what the stack is split by.
import type { Breakdown, Measure } from '../overview-data.js';
import { Choice } from './choice.js';

export const measureName = (m: Measure) => (m === 'credits' ? 'Credits' : 'Tokens');

export function ChartHead(props: {
  titleId: string;
  measure: Measure;
  onMeasure: (m: Measure) => void;
  by: Breakdown;
  onBy: (b: Breakdown) => void;
  groupBy: 'day' | 'week';
}) {
  return (
    <div class="panel-head">
      <h2 id={props.titleId}>
        {measureName(props.measure)} by {props.by} · {props.groupBy === 'day' ? 'daily' : 'weekly'} (UTC)
      </h2>
      <Choice
        label="Measure"
        value={props.measure}
        onChange={(v) => props.onMeasure(v as Measure)}
        options={[
          ['text_total_tokens', 'Tokens'],
          ['credits', 'Credits'],
        ]}
      />
      <Choice
        label="Split by"
        value={props.by}
        onChange={(v) => props.onBy(v as Breakdown)}
        options={[
          ['model', 'Model'],
          ['surface', 'Surface'],
        ]}
      />
    </div>
  );
}
