// Browser tests: the real Worker under plain miniflare (test/support/local-worker.ts), driven by Debian's Chromium through playwright-core.
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  // The Worker under test serves the widget bundles generated from widget/ (scripts/build-client.mjs).
  // @ts-expect-error -- a plain .mjs build script without type declarations
  await (await import("./scripts/build-client.mjs")).buildClient({ quiet: true });
  return {
    test: {
      include: ["test/browser/**/*.test.ts"],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      fileParallelism: false,
    },
  };
});
