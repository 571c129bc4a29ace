// The AI and auto-reply pages of the dashboard (/app/ai, /app/auto-replies), over the same data functions as
// the API. Admins only (they spend the AI budget and answer customers).
import type { Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { roleAtLeast } from "../auth/roles";
import { packageLimits, usagePeriod } from "../billing/limits";
import { getAiSettings } from "../db/ai-settings";
import { listAutoReplies } from "../db/auto-replies";
import { listChannels } from "../db/channels";
import { database } from "../db/client";
import { listDevices } from "../db/devices";
import { listKnowledge } from "../db/knowledge";
import { usageAmount } from "../db/packages";
import { listTemplates } from "../db/templates";
import type { MessageKey, T } from "./i18n";
import { AiPage, AutoRepliesPage } from "./pages/ai-pages";
import type { DashEnv } from "./routes";

type Helpers = {
  render: (c: Context<DashEnv>, key: MessageKey, body: Child) => Parameters<Context["html"]>[0];
  forbidden: (t: T) => Child;
};

const CHART_DAYS = 30;

export function aiPages(app: Hono<DashEnv>, h: Helpers): void {
  app.get("/ai", async (c) => {
    const { auth, t } = c.var;
    if (!roleAtLeast(auth.role, "admin")) return c.html(h.render(c, "nav_ai", h.forbidden(t)), 403);
    const db = database(c.env.DB);
    const businessId = auth.business.id;
    const now = Date.now();
    const days = Array.from({ length: CHART_DAYS }, (_, i) => usagePeriod("ai_tokens_per_day", now - (CHART_DAYS - 1 - i) * 86_400_000));
    const [settings, channels, devices, knowledge, limits, amounts] = await Promise.all([
      getAiSettings(db, businessId),
      listChannels(db, businessId),
      listDevices(db, businessId, 100),
      listKnowledge(db, businessId, 200),
      packageLimits(db, auth.business),
      Promise.all(days.map((d) => usageAmount(db, businessId, "ai_tokens_per_day", d))),
    ]);
    const on = channels.filter((ch) => settings.channelIds.includes(ch.id));
    return c.html(
      h.render(
        c,
        "nav_ai",
        <AiPage
          t={t}
          settings={settings}
          enabledDevices={on.flatMap((ch) => (ch.deviceKey ? [ch.deviceKey] : []))}
          webChat={on.some((ch) => ch.kind === "web")}
          devices={devices}
          usage={days.map((day, i) => ({ day, tokens: amounts[i] ?? 0 }))}
          limit={limits.ai_tokens_per_day}
          knowledge={knowledge}
        />,
      ),
    );
  });

  app.get("/auto-replies", async (c) => {
    const { auth, t } = c.var;
    if (!roleAtLeast(auth.role, "admin")) return c.html(h.render(c, "nav_auto_replies", h.forbidden(t)), 403);
    const db = database(c.env.DB);
    const [rules, templates] = await Promise.all([listAutoReplies(db, auth.business.id), listTemplates(db, auth.business.id, 100)]);
    return c.html(h.render(c, "nav_auto_replies", <AutoRepliesPage t={t} rules={rules} templates={templates} />));
  });
}
