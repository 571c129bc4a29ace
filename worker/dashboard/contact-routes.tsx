// The CRM pages of the dashboard (/app/contacts, /app/contacts/import, /app/contacts/:id, /app/labels),
// over the same data functions as the API.
import type { Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { roleAtLeast } from "../auth/roles";
import { database } from "../db/client";
import { listFields } from "../db/contact-fields";
import { decodeContactCursor, encodeContactCursor, listContacts } from "../db/contact-search";
import { getContact, listConflicts } from "../db/contacts";
import { labelsOfContacts, listLabels } from "../db/labels";
import type { Auth } from "../http/types";
import { contactTimeline } from "../crm/timeline";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import type { Locale, MessageKey, T } from "./i18n";
import { ContactPage, ContactsPage, ImportPage, LabelsPage } from "./pages/contacts-pages";
import { BotStatePanel } from "./pages/ai-pages";
import { listConversations } from "../db/conversations";
import { contacts } from "../db/schema";
import { eq } from "drizzle-orm";
import type { DashEnv } from "./routes";

type Helpers = {
  render: (c: Context<DashEnv>, key: MessageKey, body: Child) => Parameters<Context["html"]>[0];
  forbidden: (t: T) => Child;
  dateFormatter: (auth: Auth, locale: Locale) => (ms: number) => string;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function contactPages(app: Hono<DashEnv>, h: Helpers): void {
  app.get("/contacts", async (c) => {
    const { auth, t, locale } = c.var;
    const db = database(c.env.DB);
    const q = c.req.query("q")?.slice(0, 100) || undefined;
    const chosen = c.req.queries("label")?.filter((l) => UUID.test(l)).slice(0, 20) ?? [];
    const mode = c.req.query("mode") === "all" || c.req.query("mode") === "none" ? (c.req.query("mode") as "all" | "none") : "any";
    const archived = c.req.query("archived") === "true";
    const filter = {
      q,
      archived,
      labelsAny: mode === "any" ? chosen : undefined,
      labelsAll: mode === "all" ? chosen : undefined,
      labelsNone: mode === "none" ? chosen : undefined,
    };
    const cursor = decodeContactCursor(c.req.query("cursor")) ?? undefined;
    const [page, labels, conflicts] = await Promise.all([
      listContacts(db, auth.business.id, auth.business.country, filter, { sort: "recent", limit: 50, cursor }),
      listLabels(db, auth.business.id),
      listConflicts(db, auth.business.id, 100),
    ]);
    const byContact = await labelsOfContacts(
      db,
      page.items.map((i) => i.id),
    );
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    for (const l of chosen) params.append(mode === "all" ? "labels_all" : mode === "none" ? "labels_none" : "labels_any", l);
    if (archived) params.set("archived", "true");
    const exportParams = new URLSearchParams();
    for (const [k, v] of params) exportParams.set(k, k.startsWith("labels_") ? params.getAll(k).join(",") : v);
    const here = new URL(c.req.url);
    if (page.next) here.searchParams.set("cursor", encodeContactCursor(page.next));
    return c.html(
      h.render(
        c,
        "nav_contacts",
        <ContactsPage
          t={t}
          rows={page.items.map((contact) => ({ contact, labels: byContact.get(contact.id) ?? [] }))}
          labels={labels}
          filter={{ q, label: chosen, mode, archived }}
          nextHref={page.next ? `${here.pathname}${here.search}` : null}
          exportHref={`/api/v1/contacts/export?${exportParams}`}
          conflicts={conflicts.length}
          isAdmin={roleAtLeast(auth.role, "admin")}
          fmt={h.dateFormatter(auth, locale)}
        />,
      ),
    );
  });

  app.get("/contacts/import", async (c) => {
    const { auth, t } = c.var;
    if (!roleAtLeast(auth.role, "admin")) return c.html(h.render(c, "crm_import_title", h.forbidden(t)), 403);
    const labels = await listLabels(database(c.env.DB), auth.business.id);
    return c.html(h.render(c, "crm_import_title", <ImportPage t={t} labels={labels} />));
  });

  app.get("/contacts/:id", async (c) => {
    const { auth, t, locale } = c.var;
    const db = database(c.env.DB);
    const id = c.req.param("id");
    const contact = UUID.test(id) ? await getContact(db, auth.business.id, id) : undefined;
    if (!contact) return c.html(h.render(c, "nav_contacts", <p class="card">{t("crm_no_contacts")}</p>), 404);
    const [labels, allLabels, fields, timeline, convs] = await Promise.all([
      labelsOfContacts(db, [contact.id]),
      listLabels(db, auth.business.id),
      listFields(db, auth.business.id),
      contactTimeline(db, auth.business.id, contact, 30, decodeCursor(c.req.query("cursor"))),
      // Issue 12: whether the bot may speak in each of the contact's conversations.
      listConversations(db, auth.business.id, { contactWhere: eq(contacts.id, contact.id) }, 20),
    ]);
    return c.html(
      h.render(
        c,
        "nav_contacts",
        <>
          <ContactPage
            t={t}
            c={contact}
            labels={labels.get(contact.id) ?? []}
            allLabels={allLabels}
            fields={fields}
            timeline={timeline.items}
            timelineNext={timeline.next ? encodeCursor(timeline.next) : null}
            fmt={h.dateFormatter(auth, locale)}
          />
          <BotStatePanel t={t} rows={convs} fmt={h.dateFormatter(auth, locale)} />
        </>,
      ),
    );
  });

  app.get("/labels", async (c) => {
    const labels = await listLabels(database(c.env.DB), c.var.auth.business.id);
    return c.html(h.render(c, "nav_labels", <LabelsPage t={c.var.t} labels={labels} />));
  });
}
