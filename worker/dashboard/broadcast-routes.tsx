// The broadcast pages of the dashboard (/app/broadcasts, /app/broadcasts/new, /app/broadcasts/:id), admins only
// like the API's writes, over the same data functions as /api/v1/broadcasts.
import type { Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { roleAtLeast } from "../auth/roles";
import { Audience } from "../broadcasts/audience";
import { BroadcastMessage } from "../broadcasts/message";
import { checkBroadcastMessage, previewTexts } from "../broadcasts/service";
import { broadcastProgress, getBroadcast, listBroadcasts, listRecipients } from "../db/broadcasts";
import { database } from "../db/client";
import { listFields } from "../db/contact-fields";
import { listDoneImports } from "../db/contact-import-batch";
import { listDevices } from "../db/devices";
import { listLabels } from "../db/labels";
import { RECIPIENT_STATUSES } from "../db/schema";
import { ApiError } from "../http/errors";
import type { Auth } from "../http/types";
import type { Locale, MessageKey, T } from "./i18n";
import { BroadcastComposePage, BroadcastDetailPage, BroadcastsListPage } from "./pages/broadcast-pages";
import type { DashEnv } from "./routes";

type Helpers = {
  render: (c: Context<DashEnv>, key: MessageKey, body: Child) => Parameters<Context["html"]>[0];
  forbidden: (t: T) => Child;
  dateFormatter: (auth: Auth, locale: Locale) => (ms: number) => string;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE = 100;
const PREVIEW = 3;

export function broadcastPages(app: Hono<DashEnv>, h: Helpers): void {
  app.use("/broadcasts", adminOnly(h));
  app.use("/broadcasts/*", adminOnly(h));

  app.get("/broadcasts", async (c) => {
    const { auth, t, locale } = c.var;
    const rows = await listBroadcasts(database(c.env.DB), auth.business.id, {}, 50);
    // Progress of the ones that have recipients (one GROUP BY each; a draft has none).
    const withProgress = await Promise.all(rows.map(async (b) => ({ b, p: b.status === "draft" ? null : await broadcastProgress(c.env.DB, b.id) })));
    return c.html(h.render(c, "nav_broadcasts", <BroadcastsListPage t={t} rows={withProgress} fmt={h.dateFormatter(auth, locale)} />));
  });

  app.get("/broadcasts/new", async (c) => {
    const { auth, t, locale } = c.var;
    const db = database(c.env.DB);
    const [devices, labels, fields, imports] = await Promise.all([
      listDevices(db, auth.business.id, 100),
      listLabels(db, auth.business.id),
      listFields(db, auth.business.id),
      listDoneImports(db, auth.business.id, 20),
    ]);
    // Cloud API numbers broadcast only approved Meta templates (not composed here yet).
    const usable = devices.filter((d) => d.provider !== "cloud_api");
    return c.html(
      h.render(
        c,
        "bc_new",
        <BroadcastComposePage t={t} devices={usable} labels={labels} fields={fields} imports={imports} timeZone={auth.business.timezone} fmt={h.dateFormatter(auth, locale)} />,
      ),
    );
  });

  app.get("/broadcasts/:id", async (c) => {
    const { auth, t, locale } = c.var;
    const db = database(c.env.DB);
    const id = c.req.param("id");
    const b = UUID.test(id) ? await getBroadcast(db, auth.business.id, id) : undefined;
    if (!b) return c.html(h.render(c, "nav_broadcasts", <p class="card">{t("bc_none")}</p>), 404);
    const status = RECIPIENT_STATUSES.find((s) => s === c.req.query("status"));
    const after = Math.max(0, Number.parseInt(c.req.query("after") ?? "0", 10) || 0);
    const [p, recipients] = await Promise.all([broadcastProgress(c.env.DB, b.id), listRecipients(c.env.DB, b.id, status, after, PAGE)]);
    const last = recipients[recipients.length - 1];
    return c.html(
      h.render(
        c,
        "nav_broadcasts",
        <>
          <h2 style="margin-top:0">{b.name}</h2>
          {/* Why "save & start" could not start it (the draft is kept): the API's message, shown as text. */}
          {c.req.query("error") ? <p class="banner err">{c.req.query("error")?.slice(0, 300)}</p> : null}
          <BroadcastDetailPage
            t={t}
            b={b}
            p={p}
            recipients={recipients}
            status={status}
            nextAfter={recipients.length === PAGE && last ? last.seq : null}
            preview={b.status === "draft" ? await draftPreview(c.env.DB, db, auth.business.id, b) : []}
            fmt={h.dateFormatter(auth, locale)}
          />
        </>,
      ),
    );
  });
}

function adminOnly(h: Helpers) {
  return async (c: Context<DashEnv>, next: () => Promise<void>) => {
    if (!roleAtLeast(c.var.auth.role, "admin")) return c.html(h.render(c, "nav_broadcasts", h.forbidden(c.var.t)), 403);
    await next();
  };
}

/** A draft shows what its first recipients would get; a message no longer valid (a field deleted) shows nothing. */
async function draftPreview(d1: D1Database, db: ReturnType<typeof database>, businessId: string, b: NonNullable<Awaited<ReturnType<typeof getBroadcast>>>): Promise<string[]> {
  const message = BroadcastMessage.safeParse(b.message);
  const audience = Audience.safeParse(b.audience);
  if (!message.success || !audience.success) return [];
  try {
    const plan = await checkBroadcastMessage(db, businessId, message.data, b.deviceKey, b.id);
    return (await previewTexts(d1, businessId, plan, audience.data, PREVIEW)).map((i) => i.text);
  } catch (e) {
    if (e instanceof ApiError) return [];
    throw e;
  }
}
