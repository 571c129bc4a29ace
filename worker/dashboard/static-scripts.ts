// The dashboard's page scripts (dashboard-client/, bundled by scripts/build-client.mjs): served at versioned URLs
// that never change content, so browsers cache them for a year and a deploy changes the URL.
import { Hono } from "hono";
import { DASHBOARD_SCRIPTS } from "../generated/client-bundles";

const IMMUTABLE = "public, max-age=31536000, immutable";

/** The URL a page links for dashboard-client/<name>.ts. */
export function scriptUrl(name: string): string {
  const entry = DASHBOARD_SCRIPTS[name];
  if (!entry) throw new Error(`no dashboard script "${name}" (add it to DASHBOARD_ENTRIES in scripts/build-client.mjs)`);
  return `/app/static/${name}.${entry.hash}.js`;
}

export const staticScripts = new Hono().get("/static/:file{[a-z0-9-]+\\.[0-9a-f]+\\.js}", (c) => {
  const [name = "", hash] = c.req.param("file").split(".");
  const entry = DASHBOARD_SCRIPTS[name];
  if (!entry) return c.notFound();
  // An old page asking for an older build gets the current one (a deploy must not break open tabs).
  if (hash !== entry.hash) return c.redirect(scriptUrl(name), 302);
  return c.body(entry.code, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": IMMUTABLE });
});
