declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** JSON of TestServers (test/worker/global-setup.ts). */
    TEST_SERVERS: string;
    /** Empty D1 for the data-migration test (vitest.config.ts). */
    MIGRATION_DB: D1Database;
  }
}
