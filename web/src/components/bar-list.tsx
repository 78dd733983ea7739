// Shares as horizontal bars with their numbers: read at a glance, and read out as a list.
import { coloursFor } from './colours.js';
import { fmtInt } from '../format.js';

/** `share`: what the percentages (and the bars) are of; default the items' sum (and the largest). */
export function BarList(props: {
  items: { key: string; value: number }[];
  label: string;
  testId?: string;
  share?: number;
}) {
  const { items, label, testId } = props;
  const total = props.share ?? items.reduce((a, b) => a + b.value, 0);
  const max = Math.max(1, props.share ?? Math.max(0, ...items.map((i) => i.value)));
  const colour = coloursFor(items.map((i) => i.key));
  return (
    <ul class="bar-list" aria-label={label} data-testid={testId}>
      {items.map((i) => (
        <li key={i.key} data-key={i.key} data-value={i.value}>
          <span class="bar-label">{i.key}</span>
          <span class="bar-track" aria-hidden="true">
            <span class="bar-fill" style={{ width: `${(100 * i.value) / max}%`, background: colour.get(i.key) }} />
          </span>
          <span class="bar-value">
            {fmtInt(i.value)}
            {total > 0 && <span class="muted"> · {Math.round((100 * i.value) / total)}%</span>}
          </span>
        </li>
      ))}
    </ul>
  );
}
