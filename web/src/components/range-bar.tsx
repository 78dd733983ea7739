// The page head every analytics page shares: its title, the range (7/30/90 days) and the bucket
// size; and the loader that reads the page's data again when either changes.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Choice } from './choice.js';
import { type Grain, RANGES, windowOf } from './range.js';

export function useRange() {
  const [days, setDays] = useState<number>(30);
  const [grain, setGrain] = useState<Grain>('day');
  return { days, setDays, grain, setGrain, window: windowOf(days) };
}

/** The range and bucket choices, for a page head of its own (the overview's, a user's). */
export function RangeChoices(props: {
  days: number;
  onDays: (d: number) => void;
  grain: Grain;
  onGrain: (g: Grain) => void;
}) {
  return (
    <>
      <Choice
        label="Range"
        value={String(props.days)}
        onChange={(v) => props.onDays(Number(v))}
        options={RANGES.map((d) => [String(d), `${d} days`])}
      />
      <Choice
        label="Buckets"
        value={props.grain}
        onChange={(v) => props.onGrain(v as Grain)}
        options={[
          ['day', 'Daily'],
          ['week', 'Weekly'],
        ]}
      />
    </>
  );
}

export function RangeBar(props: { title: string; range: ReturnType<typeof useRange>; children?: ComponentChildren }) {
  const r = props.range;
  return (
    <div class="toolbar">
      <h1>{props.title}</h1>
      <RangeChoices days={r.days} onDays={r.setDays} grain={r.grain} onGrain={r.setGrain} />
      {props.children}
    </div>
  );
}

/** Loads `load()` whenever `deps` change; the newest answer wins. */
export function useLoaded<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    load()
      .then((d) => {
        if (!live) return;
        setData(d);
        setError('');
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, deps);
  return { data, error };
}
