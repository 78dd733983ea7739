// A chart over UTC buckets (uPlot): stacked bars, or lines, one colour per series that stays with
// it (colours.ts). uPlot does not stack, so each drawn bar is the running sum of the series below
// it, drawn top first so every fill covers only its own band; the legend shows each series' own
// value. The numbers behind the chart are in a table beside it ("Show the numbers").
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { coloursFor } from './colours.js';
import { fmtCompact, fmtDay, fmtInt } from '../format.js';

export interface Line {
  key: string;
  values: number[];
}

const DAY = 86400;
const bars = uPlot.paths.bars!({ size: [0.7, 96], gap: 1 });
const fmtTick = (s: number) =>
  new Date(s * 1000).toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });

export function TimeChart(props: {
  x: number[];
  lines: Line[];
  label: string;
  mode?: 'stacked' | 'lines';
  height?: number;
  fmt?: (n: number) => string;
  testId?: string;
}) {
  const { x, lines, mode = 'stacked', height = 240, fmt = fmtCompact } = props;
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || x.length === 0 || lines.length === 0) return;
    const drawn: number[][] = [];
    let running = x.map(() => 0);
    for (const line of lines) {
      if (mode === 'stacked') {
        running = running.map((v, i) => v + line.values[i]);
        drawn.push(running);
      } else drawn.push(line.values);
    }
    const colour = coloursFor(lines.map((l) => l.key));
    const step = x.length > 1 ? x[1] - x[0] : DAY;
    const order = lines.map((_, i) => (mode === 'stacked' ? lines.length - 1 - i : i));
    const css = getComputedStyle(el);
    const axis = css.getPropertyValue('--muted').trim() || '#888';
    const grid = css.getPropertyValue('--grid').trim() || 'rgba(128,128,128,.2)';
    const opts: uPlot.Options = {
      width: el.clientWidth,
      height,
      scales: {
        x: { time: true, range: (_u, min, max) => [min - step / 2, max + step / 2] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.08] },
      },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      cursor: { points: { show: mode === 'lines' } },
      axes: [
        {
          stroke: axis,
          grid: { show: false },
          ticks: { stroke: grid },
          splits: (u) => {
            const fit = Math.max(1, Math.floor(u.bbox.width / devicePixelRatio / 64));
            const every = Math.max(1, Math.ceil(x.length / fit));
            return x.filter((_, i) => (x.length - 1 - i) % every === 0);
          },
          values: (_u, splits) => splits.map(fmtTick),
          space: 56,
        },
        { stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid }, values: (_u, v) => v.map(fmt), size: 56 },
      ],
      series: [
        { label: 'Bucket', value: (_u, v) => (v == null ? '' : fmtDay(v)) },
        ...order.map((i) => ({
          label: lines[i].key,
          stroke: colour.get(lines[i].key),
          fill: mode === 'stacked' ? colour.get(lines[i].key) : undefined,
          width: mode === 'stacked' ? 0 : 2,
          paths: mode === 'stacked' ? bars : undefined,
          points: { show: mode === 'lines' && x.length < 40, size: 5 },
          value: (_u: uPlot, _v: number, _s: number, idx: number | null) =>
            idx == null ? '' : fmt(lines[i].values[idx]),
        })),
      ],
      legend: { live: true },
    };
    const plot = new uPlot(opts, [x, ...order.map((i) => drawn[i])] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, lines, mode, height]);
  if (x.length === 0 || lines.every((l) => l.values.every((v) => v === 0)))
    return <p class="empty">No activity in this range.</p>;
  return (
    <>
      <div ref={box} class="chart small" role="img" aria-label={props.label} data-testid={props.testId} />
      <details>
        <summary>Show the numbers</summary>
        <table class="data" data-testid={props.testId && `${props.testId}-table`}>
          <thead>
            <tr>
              <th scope="col">Series</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => {
              const total = l.values.reduce((a, b) => a + b, 0);
              return (
                <tr key={l.key}>
                  <th scope="row">{l.key}</th>
                  <td data-value={total}>{fmtInt(total)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </details>
    </>
  );
}
