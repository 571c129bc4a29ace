// The campaigns pages (/app/campaigns, /app/campaigns/:id), over the same data functions as the API. Admins only
// (a campaign speaks to customers in the business's name), like the API's writes.
import type { Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { roleAtLeast } from "../auth/roles";
import { CampaignSteps, CampaignWindow } from "../campaigns/steps";
import { getCampaign, listCampaigns } from "../db/campaigns";
import { campaignFunnel, listEnrollments } from "../db/campaign-enrollments";
import { database } from "../db/client";
import { listDevices } from "../db/devices";
import { listLabels } from "../db/labels";
import { listRules } from "../db/webhook-rules";
import type { Auth } from "../http/types";
import type { Locale, MessageKey, T } from "./i18n";
import { CampaignDetailPage, CampaignsPage } from "./pages/campaign-pages";
import type { DashEnv } from "./routes";

type Helpers = {
  render: (c: Context<DashEnv>, key: MessageKey, body: Child) => Parameters<Context["html"]>[0];
  forbidden: (t: T) => Child;
  dateFormatter: (auth: Auth, locale: Locale) => (ms: number) => string;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function options(d1: D1Database, businessId: string) {
  const db = database(d1);
  const [devices, labels, rules] = await Promise.all([listDevices(db, businessId, 100), listLabels(db, businessId), listRules(db, businessId, 100)]);
  return { devices: devices.filter((d) => d.provider !== "cloud_api"), labels, rules };
}

export function campaignPages(app: Hono<DashEnv>, h: Helpers): void {
  app.get("/campaigns", async (c) => {
    const { auth, t } = c.var;
    if (!roleAtLeast(auth.role, "admin")) return c.html(h.render(c, "nav_campaigns", h.forbidden(t)), 403);
    const labelId = UUID.test(c.req.query("label_id") ?? "") ? (c.req.query("label_id") ?? null) : null;
    const opts = await options(c.env.DB, auth.business.id);
    const campaigns = await listCampaigns(database(c.env.DB), auth.business.id, { labelId: labelId ?? undefined }, 100);
    return c.html(h.render(c, "nav_campaigns", <CampaignsPage t={t} campaigns={campaigns} labels={opts.labels} labelId={labelId} opts={opts} />));
  });

  app.get("/campaigns/:id", async (c) => {
    const { auth, t, locale } = c.var;
    if (!roleAtLeast(auth.role, "admin")) return c.html(h.render(c, "nav_campaigns", h.forbidden(t)), 403);
    const id = c.req.param("id");
    const k = UUID.test(id) ? await getCampaign(database(c.env.DB), auth.business.id, id) : undefined;
    if (!k) return c.html(h.render(c, "nav_campaigns", <p class="card">{t("cmp_none")}</p>), 404);
    const steps = CampaignSteps.parse(k.steps);
    const window = CampaignWindow.parse(k.window);
    const [opts, funnel, enrollments] = await Promise.all([options(c.env.DB, auth.business.id), campaignFunnel(c.env.DB, k.id, steps.length), listEnrollments(c.env.DB, k.id, undefined, 20)]);
    return c.html(
      h.render(
        c,
        "nav_campaigns",
        <CampaignDetailPage t={t} campaign={k} steps={steps} window={window} funnel={funnel} enrollments={enrollments} fmt={h.dateFormatter(auth, locale)} opts={opts} />,
      ),
    );
  });
}
