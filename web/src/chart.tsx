// A stacked area chart over uPlot. uPlot does not stack, so each drawn line is the running sum of
// the lines below it, drawn top first so every fill covers only its own band; the legend and the
// table beside the chart show each line's own values.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from './overview-data.js';
import { fmtCompact, fmtDay } from './format.js';

// Distinguishable on light and dark backgrounds alike (checked against both surfaces).
const DAY = 86400;
const bars = uPlot.paths.bars!({ size: [0.7, 96], gap: 1 });
const fmtTick = (s: number) =>
  new Date(s * 1000).toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });

export const PALETTE = ['#4f7cff', '#f08c2e', '#22a67a', '#d1497b', '#8a63d2', '#2aa3b8', '#b59a1e', '#7d8597'];

export function StackedChart({ data, label }: { data: Series; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || data.x.length === 0) return;
    const stacked: number[][] = [];
    let running = data.x.map(() => 0);
    for (const line of data.lines) {
      running = running.map((v, i) => v + line.values[i]);
      stacked.push(running);
    }
    const step = data.x.length > 1 ? data.x[1] - data.x[0] : DAY;
    const order = data.lines.map((_, i) => data.lines.length - 1 - i); // top of the stack first
    const axis = getComputedStyle(el).getPropertyValue('--muted').trim() || '#888';
    const grid = getComputedStyle(el).getPropertyValue('--grid').trim() || 'rgba(128,128,128,.2)';
    const opts: uPlot.Options = {
      width: el.clientWidth,
      height: 280,
      // Half a bucket of room at each end, so the first and last bars are drawn whole.
      scales: { x: { time: true, range: (_u, min, max) => [min - step / 2, max + step / 2] } },
      // Buckets are UTC days: label them in UTC, never the browser's zone.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      axes: [
        {
          stroke: axis,
          grid: { show: false },
          ticks: { stroke: grid },
          // Ticks on bucket starts only (a week's tick is its Monday), as many as fit.
          splits: (u) => {
            const every = Math.max(
              1,
              Math.ceil(data.x.length / Math.max(1, Math.floor(u.bbox.width / devicePixelRatio / 64))),
            );
            return data.x.filter((_, i) => (data.x.length - 1 - i) % every === 0);
          },
          values: (_u, splits) => splits.map(fmtTick),
          space: 56,
        },
        {
          stroke: axis,
          grid: { stroke: grid },
          ticks: { stroke: grid },
          values: (_u, v) => v.map(fmtCompact),
          size: 56,
        },
      ],
      series: [
        { label: 'Bucket', value: (_u, v) => (v == null ? '' : fmtDay(v)) },
        ...order.map((i) => ({
          label: data.lines[i].key,
          stroke: PALETTE[i % PALETTE.length],
          fill: PALETTE[i % PALETTE.length],
          width: 0,
          paths: bars,
          points: { show: false },
          value: (_u: uPlot, _v: number, _s: number, idx: number | null) =>
            idx == null ? '' : fmtCompact(data.lines[i].values[idx]),
        })),
      ],
      legend: { live: true },
    };
    const plot = new uPlot(opts, [data.x, ...order.map((i) => stacked[i])] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 280 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data]);
  if (data.x.length === 0) return <p class="empty">No activity in this range.</p>;
  return <div ref={box} class="chart" role="img" aria-label={label} />;
}
