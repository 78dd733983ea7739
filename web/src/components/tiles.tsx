// A row of headline figures; each tile carries its raw value (data-value) beside the formatted one.
export interface TileSpec {
  key: string;
  label: string;
  value: number | null;
  text: string;
  note?: string;
}

export function Tiles({ tiles, label }: { tiles: TileSpec[]; label: string }) {
  return (
    <section class="tiles" aria-label={label}>
      {tiles.map((t) => (
        <div class="tile" key={t.key} data-testid={`tile-${t.key}`}>
          <span class="tile-label">{t.label}</span>
          <strong class="tile-value" data-value={t.value ?? ''}>
            {t.text}
          </strong>
          {t.note && <span class="delta">{t.note}</span>}
        </div>
      ))}
    </section>
  );
}
