// The public package catalogue: prices in rupiah per month and per year, and each package's limits.
import { createRoute, z } from "@hono/zod-openapi";
import { limitsOf } from "../billing/limits";
import { database } from "../db/client";
import type { Package } from "../db/packages";
import { listPackages } from "../db/packages";
import { apiRouter, jsonContent } from "./openapi";

const Limit = z.number().int().nullable().openapi({ description: "null = unlimited" });

export const PackageSchema = z
  .object({
    id: z.string().openapi({ example: "pro" }),
    name: z.string(),
    price_monthly: z.number().int().openapi({ description: "Rupiah per month", example: 249000 }),
    price_yearly: z.number().int().openapi({ description: "Rupiah per year (12 months)", example: 2490000 }),
    purchasable: z.boolean(),
    limits: z.object({
      devices: Limit,
      agents: Limit,
      messages_per_day: Limit,
      broadcast_recipients_per_month: Limit,
      ai_tokens_per_day: Limit,
      broadcasts_running: Limit.openapi({ description: "Broadcasts scheduled, running or waiting for their window at once; null = unlimited" }),
      live_chat: z.boolean(),
    }),
  })
  .openapi("Package");

export function packageJson(p: Package): z.infer<typeof PackageSchema> {
  return { id: p.id, name: p.name, price_monthly: p.priceMonthly, price_yearly: p.priceYearly, purchasable: p.purchasable, limits: limitsOf(p) };
}

export const packagesApi = apiRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["billing"],
    summary: "The package catalogue (public, no authentication)",
    responses: { 200: jsonContent(z.object({ items: z.array(PackageSchema), next_cursor: z.null() })) },
  }),
  async (c) => {
    const rows = await listPackages(database(c.env.DB));
    return c.json({ items: rows.map(packageJson), next_cursor: null }, 200);
  },
);
