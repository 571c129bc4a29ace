// The inbox (/app/inbox) and live-chat settings (/app/livechat) pages, over the same data functions as the API.
import type { Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { roleAtLeast } from "../auth/roles";
import { listChannels } from "../db/channels";
import { database } from "../db/client";
import { getConversationRow, listConversations } from "../db/conversations";
import { contactWhere } from "../db/contact-search";
import { ensureLivechatSettings } from "../db/livechat-settings";
import { CONVERSATION_STATUSES } from "../db/schema";
import type { Auth } from "../http/types";
import { canSee, visibleToOf } from "../inbox/visibility";
import { parseConfig } from "../livechat/settings";
import type { Locale, MessageKey, T } from "./i18n";
import { inboxContext, threadData } from "./inbox-thread-data";
import { InboxPage, LivechatSettingsPage } from "./pages/inbox-pages";
import type { DashEnv } from "./routes";

type Helpers = {
  render: (c: Context<DashEnv>, key: MessageKey, body: Child) => Parameters<Context["html"]>[0];
  forbidden: (t: T) => Child;
  dateFormatter: (auth: Auth, locale: Locale) => (ms: number) => string;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function livechatPages(app: Hono<DashEnv>, h: Helpers): void {
  app.get("/inbox", async (c) => {
    const { auth, t, locale } = c.var;
    const db = database(c.env.DB);
    const q = c.req.query();
    const status = CONVERSATION_STATUSES.find((s) => s === q.status);
    const assignee = q.assignee === "none" ? "none" : q.assignee === "me" && auth.user ? auth.user.id : undefined;
    const channels = await listChannels(db, auth.business.id);
    const channel = channels.find((ch) => ch.id === q.channel)?.id;
    const search = q.q?.slice(0, 100) || undefined;
    const ctx = await inboxContext(db, auth);
    const label = ctx.labels.find((l) => l.id === q.label)?.id;
    // Staff see their own and unassigned conversations unless the business lets them see all (one rule with the API).
    const visibleTo = await visibleToOf(db, auth);
    const rows = await listConversations(
      db,
      auth.business.id,
      { status, assignee, visibleTo, channelId: channel, labelId: label, contactWhere: search ? contactWhere(auth.business.id, { q: search, archived: undefined }, auth.business.country) : undefined },
      50,
    );
    const found = q.c && UUID.test(q.c) ? await getConversationRow(db, auth.business.id, q.c) : undefined;
    const picked = found && canSee(visibleTo, found.conversation.assigneeId) ? found : undefined;
    const selected = picked ? await threadData(db, auth.business.id, picked) : null;
    const filter = { ...(status ? { status } : {}), ...(channel ? { channel } : {}), ...(q.assignee === "me" || q.assignee === "none" ? { assignee: q.assignee } : {}), ...(label ? { label } : {}), ...(search ? { q: search } : {}) };
    return c.html(h.render(c, "nav_inbox", <InboxPage t={t} rows={rows.slice(0, 50)} channels={channels} filter={filter} selected={selected} ctx={ctx} fmt={h.dateFormatter(auth, locale)} />));
  });

  app.get("/livechat", async (c) => {
    const { auth, t } = c.var;
    if (!roleAtLeast(auth.role, "admin")) return c.html(h.render(c, "nav_livechat", h.forbidden(t)), 403);
    const row = await ensureLivechatSettings(database(c.env.DB), auth.business.id);
    const base = c.env.PUBLIC_BASE_URL.replace(/\/$/, "");
    const snippet = `<script src="${base}/widget.js" data-key="${row.widgetKey}" async></script>`;
    return c.html(h.render(c, "nav_livechat", <LivechatSettingsPage t={t} widgetKey={row.widgetKey} snippet={snippet} cfg={parseConfig(row.config)} />));
  });
}
