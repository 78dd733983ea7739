// Pieces the admin page's tabs share: the admin API's client type, a loader with its error and
// reload, and the alert line.
import { useEffect, useState } from 'preact/hooks';
import type { admin } from './people-api.js';

export type Api = ReturnType<typeof admin>;

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load()
      .then((d) => live && (setData(d), setError('')))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { data, error, setError, reload: () => setTick((t) => t + 1) };
}

export function Alert({ text }: { text: string }) {
  return text ? (
    <p role="alert" class="error">
      {text}
    </p>
  ) : null;
}
