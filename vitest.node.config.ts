// gateway-node and other Node-side tests, and browser tests (Debian's Chromium via playwright-core).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/node/**/*.test.ts", "test/browser/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
