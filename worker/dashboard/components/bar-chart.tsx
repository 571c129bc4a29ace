// Inline SVG bars (no external assets): usage against a limit, and side-by-side counts (the referral funnel).

/** One horizontal bar: `used` of `allowed` (null = unlimited, drawn as a thin bar with no end). */
export function UsageBar(props: { label: string; used: number; allowed: number | null; unlimitedLabel: string }) {
  const pct = props.allowed === null ? 4 : props.allowed === 0 ? 100 : Math.min(100, Math.round((props.used / props.allowed) * 100));
  const color = props.allowed !== null && props.used >= props.allowed ? "#c43d3d" : pct >= 80 ? "#e0a100" : "#128c5e";
  const fmt = new Intl.NumberFormat("id-ID");
  return (
    <div class="usage" data-limit={props.label}>
      <div class="row" style="justify-content:space-between">
        <span>{props.label}</span>
        <span class="muted">
          {fmt.format(props.used)} / {props.allowed === null ? props.unlimitedLabel : fmt.format(props.allowed)}
        </span>
      </div>
      <svg width="100%" height="12" viewBox="0 0 100 12" preserveAspectRatio="none" role="img" aria-label={`${props.label}: ${props.used}`}>
        <rect x="0" y="0" width="100" height="12" rx="3" fill="#eef1ef" />
        <rect x="0" y="0" width={String(pct)} height="12" rx="3" fill={color} />
      </svg>
    </div>
  );
}

/** Vertical bars of counts, labelled, scaled to the largest. */
export function CountBars(props: { items: { label: string; value: number }[] }) {
  const max = Math.max(1, ...props.items.map((i) => i.value));
  const w = 80;
  const h = 120;
  return (
    <svg width={String(props.items.length * (w + 20))} height={String(h + 40)} role="img">
      {props.items.map((it, i) => {
        const bh = Math.round((it.value / max) * h);
        const x = i * (w + 20);
        return (
          <g>
            <rect x={String(x)} y={String(h - bh + 16)} width={String(w)} height={String(bh)} rx="4" fill={i === 0 ? "#7cc4a4" : "#128c5e"} />
            <text x={String(x + w / 2)} y={String(h - bh + 12)} text-anchor="middle" font-size="13">
              {String(it.value)}
            </text>
            <text x={String(x + w / 2)} y={String(h + 34)} text-anchor="middle" font-size="12">
              {it.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
