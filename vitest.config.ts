// Worker tests: run inside workerd with the real bindings of wrangler.toml (D1, Queues, DOs, R2, rate limits).
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { outboundRoutes } from "./test/support/outbound-routes.ts";
import { XENDIT_CALLBACK_TOKEN, XENDIT_SECRET_KEY } from "./test/worker/xendit-server";

export default defineConfig(async () => {
  // The Worker imports the generated widget bundles (worker/generated/): build them from widget/ first.
  // @ts-expect-error -- a plain .mjs build script without type declarations
  await (await import("./scripts/build-client.mjs")).buildClient({ quiet: true });
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // The test network: public names of the test zone lead to the loopback media origin, everything else
          // goes out as is. Not a Worker setting: production has no such route (docs/security.md).
          outboundService: outboundRoutes(inject("servers").mediaOrigin),
          // An empty database for the data-migration test (seeded in the old shape, then migrated).
          d1Databases: { MIGRATION_DB: "migration-test" },
          bindings: {
            TEST_MIGRATIONS: migrations,
            SECRETS_KEY: "dGVzdC1zZWNyZXRzLWtleS0zMi1ieXRlcy1sb25nISE=",
            GATEWAY_SECRETS: JSON.stringify({ "gw-test": "gateway-test-secret", "gw-other": "other-gateway-secret" }),
            // Short job leases so redelivery after a lease expiry is observable in a test.
            GATEWAY_JOB_LEASE_MS: "1500",
            OUTBOX_LIMIT: "40",
            WEBHOOK_RETRY_BASE_SECONDS: "1",
            ALLOW_GRAPH_API_OVERRIDE: "true",
            PLATFORM_ADMIN_TOKEN: "operator-test-token",
            ALLOW_LOOPBACK_WEBHOOKS: "true",
            // A model call that takes longer is a timeout (fallback + handoff): short, so the timeout test is quick.
            AI_TIMEOUT_MS: "1500",
            // Pinned here so a developer's .dev.vars (written by `npm start`) cannot change test results.
            PUBLIC_BASE_URL: "http://localhost:8787",
            TEST_SERVERS: JSON.stringify(inject("servers")),
            // The local Xendit (test/worker/xendit-server.ts); same key and token as it checks.
            XENDIT_API_BASE: inject("servers").xendit,
            XENDIT_SECRET_KEY,
            XENDIT_CALLBACK_TOKEN,
            // Mail goes to the local Resend-format server of global-setup.ts.
            MAIL_API_URL: `${inject("servers").local}/resend`,
            RESEND_API_KEY: "re_local_test_key",
            // The URL guard resolves through the DoH stub (wire format by default, as in production).
            DNS_RESOLVER_URL: inject("servers").doh,
          },
        },
      })),
    ],
    test: {
      include: ["test/worker/**/*.test.ts"],
      setupFiles: ["./test/worker/apply-migrations.ts"],
      globalSetup: ["./test/worker/global-setup.ts"],
      testTimeout: 30_000,
    },
  };
});
