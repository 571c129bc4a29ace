// The widget's size budget (issue 13): the loader ≤ 3 KB gzipped, loader + chat ≤ 12 KB gzipped, measured on
// the bytes the Worker serves (the esbuild output of scripts/build-client.mjs), so a heavy import fails CI.
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs build script without type declarations
import { buildClient } from "../../scripts/build-client.mjs";

type Built = Record<string, { code: string; hash: string }>;

describe("widget size budget", () => {
  it("keeps the loader ≤ 3 KB and the whole widget ≤ 12 KB gzipped, with no third-party URL", async () => {
    const out = (await buildClient({ quiet: true })) as Built;
    const gz = (name: string) => gzipSync(out[name]?.code ?? "", { level: 9 }).length;
    const loader = gz("WIDGET_LOADER");
    const whole = loader + gz("WIDGET_CHAT");
    console.log(`widget: loader ${loader} B gz, whole ${whole} B gz`);
    expect(loader).toBeGreaterThan(500);
    expect(loader).toBeLessThanOrEqual(3 * 1024);
    expect(whole).toBeLessThanOrEqual(12 * 1024);
    // Every request the widget makes goes to the Worker it was loaded from (no hard-coded hosts). The one URL
    // allowed is wa.me: "Continue on WhatsApp" navigates there on the visitor's click; the widget never fetches it.
    for (const { code } of Object.values(out)) expect(code).not.toMatch(/https?:\/\/(?!www\.w3\.org|wa\.me\/)/);
  });
});
