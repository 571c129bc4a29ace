// The device page's health card: the health figure against its thresholds (0.7 pause, 0.9 full caps), a chart of
// the broadcast lane's sends, failures, replies, opt-outs and blocks over 24 h and 7 d, failures by cause, the
// warm-up stage and the pacing it implies. Server-drawn SVG bars, the same numbers as GET /devices/{key}/health.
import type { HealthReport } from "../../broadcasts/health-report";
import type { MessageKey, T } from "../i18n";

const METRICS = [
  ["health_sends", (w: HealthReport["last_7d"]) => w.sends],
  ["health_failures", (w: HealthReport["last_7d"]) => w.failed],
  ["health_replies", (w: HealthReport["last_7d"]) => w.replies],
  ["health_opt_outs", (w: HealthReport["last_7d"]) => w.opt_outs],
  ["health_blocks", (w: HealthReport["last_7d"]) => w.blocks],
] as const satisfies readonly (readonly [MessageKey, (w: HealthReport["last_7d"]) => number])[];

/** One bar scaled to `max`, with its value. */
function Bar({ value, max, color, label }: { value: number; max: number; color: string; label: string }) {
  const w = max > 0 ? Math.max(value > 0 ? 1 : 0, (value / max) * 100) : 0;
  return (
    <svg width="100%" height="10" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label={`${label}: ${value}`}>
      <rect x="0" y="0" width="100" height="10" rx="2" fill="#eef1ef" />
      <rect x="0" y="0" width={w.toFixed(2)} height="10" rx="2" fill={color} />
    </svg>
  );
}

const fill = (s: string, vars: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));

export function DeviceHealthPanel({ t, h }: { t: T; h: HealthReport }) {
  const colour = h.cap_factor === 1 ? "#128c5e" : h.cap_factor === 0.5 ? "#e0a100" : "#c43d3d";
  const caps = h.cap_factor === 1 ? "health_caps_full" : h.cap_factor === 0.5 ? "health_caps_half" : "health_caps_paused";
  const max = Math.max(1, ...METRICS.flatMap(([, f]) => [f(h.last_24h), f(h.last_7d)]));
  const failures = Object.entries(h.last_7d.failures_by_reason).sort((a, b) => b[1] - a[1]);
  const maxFail = Math.max(1, ...failures.map(([, n]) => n));
  const p = h.pacing;
  return (
    <div class="card" id="device-health" data-health={String(h.health)} data-cap-factor={String(h.cap_factor)}>
      <h3>{t("health_title")}</h3>
      <p>
        {t("health_figure")}: <b style={`font-size:22px;color:${colour}`}>{h.health.toFixed(2)}</b> ·{" "}
        <span class="pill" data-caps={caps}>
          {t(caps)}
        </span>
      </p>
      {/* The figure on a 0–1 scale with the two thresholds marked. */}
      <svg width="100%" height="14" viewBox="0 0 100 14" preserveAspectRatio="none" role="img" aria-label={`${t("health_figure")} ${h.health}`}>
        <rect x="0" y="2" width="70" height="10" fill="#fbe3e3" />
        <rect x="70" y="2" width="20" height="10" fill="#fff4e5" />
        <rect x="90" y="2" width="10" height="10" fill="#e3f5ec" />
        <rect x="0" y="5" width={String(h.health * 100)} height="4" fill={colour} />
        <rect x="69.8" y="0" width="0.4" height="14" fill="#6b7770" />
        <rect x="89.8" y="0" width="0.4" height="14" fill="#6b7770" />
      </svg>
      <p class="muted">{t("health_help")}</p>
      <div class="bars" id="health-chart">
        <span></span>
        <span class="muted">
          <span style="color:#7cc4a4">■</span> {t("health_24h")} · <span style="color:#0f3d2e">■</span> {t("health_7d")}
        </span>
        <span></span>
        {METRICS.map(([k, f]) => (
          <>
            <span>{t(k)}</span>
            <div>
              <Bar value={f(h.last_24h)} max={max} color="#7cc4a4" label={`${t(k)} ${t("health_24h")}`} />
              <Bar value={f(h.last_7d)} max={max} color="#0f3d2e" label={`${t(k)} ${t("health_7d")}`} />
            </div>
            <span data-metric={k}>
              {f(h.last_24h)} / {f(h.last_7d)}
            </span>
          </>
        ))}
      </div>
      {failures.length ? (
        <>
          <h4>{t("health_failures_by_code")}</h4>
          <div class="bars" id="health-failures">
            {failures.map(([reason, n]) => (
              <>
                <span>{reason}</span>
                <Bar value={n} max={maxFail} color="#c43d3d" label={reason} />
                <span>{n}</span>
              </>
            ))}
          </div>
        </>
      ) : null}
      <p id="health-warmup">
        {t("health_warmup")}:{" "}
        {h.warmup.done ? fill(t("health_warmup_done"), { cap: h.warmup.day_cap }) : fill(t("health_warmup_day"), { day: h.warmup.day, of: h.warmup.of, cap: h.warmup.day_cap })}
      </p>
      <p id="health-pacing">
        {t("health_pacing")}:{" "}
        {p.paced
          ? fill(t("health_pacing_line"), {
              gap: `${p.gap_seconds[0]}–${p.gap_seconds[1]}`,
              rest: `${p.rest_seconds[0]}–${p.rest_seconds[1]}`,
              every: `${p.rest_every[0]}–${p.rest_every[1]}`,
              hour: p.max_per_hour,
              day: p.max_per_day,
            })
          : t("health_unpaced")}
      </p>
    </div>
  );
}
