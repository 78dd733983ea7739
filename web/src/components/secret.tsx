// A secret shown once (a new or rotated key, a reset link): selectable text with a copy button,
// and a way to put it away. Nothing keeps it after the notice is closed.
import { useState } from 'preact/hooks';

export function SecretNotice(props: { title: string; lines: { label: string; text: string }[]; onClose: () => void }) {
  return (
    <section class="notice" role="status" aria-label={props.title} data-testid="secret">
      <div class="notice-head">
        <strong>{props.title}</strong>
        <button type="button" class="ghost" onClick={props.onClose}>
          Done
        </button>
      </div>
      {props.lines.map((l) => (
        <Copyable key={l.label} label={l.label} text={l.text} />
      ))}
    </section>
  );
}

export function Copyable(props: { label: string; text: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard?.writeText(props.text).catch(() => undefined);
    setCopied(true);
  };
  return (
    <div class="copyable">
      <span class="copy-label">{props.label}</span>
      <pre tabIndex={0} aria-label={props.label}>
        {props.text}
      </pre>
      <button type="button" class="ghost" onClick={copy}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
