// A "Find" box for a search the server runs: what is typed is handed on a quarter of a second
// after the typing stops (trimmed), so a word asks once, not once per key.
import { useEffect, useState } from 'preact/hooks';

const SETTLE_MS = 250;

export function FindBox(props: { placeholder: string; testId: string; onFind: (text: string) => void }) {
  const [typed, setTyped] = useState('');
  const [sent, setSent] = useState('');
  useEffect(() => {
    const text = typed.trim();
    if (text === sent) return;
    const timer = setTimeout(() => {
      setSent(text);
      props.onFind(text);
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [typed]);
  return (
    <label class="filter">
      Find
      <input
        type="search"
        value={typed}
        placeholder={props.placeholder}
        data-testid={props.testId}
        onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
      />
    </label>
  );
}
