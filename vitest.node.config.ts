// gateway-node and other Node-side tests.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/node/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
