// A stacked area chart over uPlot. uPlot does not stack, so each drawn line is the running sum of
// the lines below it, drawn top first so every fill covers only its own band; the legend and the
// table beside the chart show each line's own values.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from './overview-data.js';
import { fmtCompact, fmtDay } from './format.js';

// Distinguishable on light and dark backgrounds alike (checked against both surfaces).
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
    const order = data.lines.map((_, i) => data.lines.length - 1 - i); // top of the stack first
    const axis = getComputedStyle(el).getPropertyValue('--muted').trim() || '#888';
    const grid = getComputedStyle(el).getPropertyValue('--grid').trim() || 'rgba(128,128,128,.2)';
    const opts: uPlot.Options = {
      width: el.clientWidth,
      height: 280,
      scales: { x: { time: true } },
      axes: [
        { stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid } },
        {
          stroke: axis,
          grid: { stroke: grid },
          ticks: { stroke: grid },
          values: (_u, v) => v.map(fmtCompact),
          size: 56,
        },
      ],
      series: [
        { value: (_u, v) => (v == null ? '' : fmtDay(v)) },
        ...order.map((i) => ({
          label: data.lines[i].key,
          stroke: PALETTE[i % PALETTE.length],
          fill: `${PALETTE[i % PALETTE.length]}99`,
          width: 1.5,
          points: { show: data.x.length < 3 },
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
