// A headline figure: its label, the value as shown (data-value keeps the raw number for tests and
// copy), and a line of context under it.
import type { ComponentChildren } from 'preact';

export function Tile(props: {
  id: string;
  label: string;
  value: string;
  raw?: number | null;
  note?: ComponentChildren;
}) {
  return (
    <div class="tile" data-testid={`tile-${props.id}`}>
      <span class="tile-label">{props.label}</span>
      <strong class="tile-value" data-value={props.raw ?? ''}>
        {props.value}
      </strong>
      {props.note !== undefined && <span class="delta">{props.note}</span>}
    </div>
  );
}

export function Tiles(props: { label: string; children: ComponentChildren }) {
  return (
    <section class="tiles" aria-label={props.label}>
      {props.children}
    </section>
  );
}
