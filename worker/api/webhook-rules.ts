// Webhook rules: when an incoming event sends which WhatsApp message to whom. Admins only; editing does not
// need an active package (the webhook itself answers PACKAGE_NOT_ACTIVE).
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { database, type Db } from "../db/client";
import { getDevice } from "../db/devices";
import { RULE_SOURCES } from "../db/schema";
import { countRules, deleteRule, getRule, insertRule, listRules, type RulePatch, updateRule, type WebhookRule } from "../db/webhook-rules";
import { ApiError, notFound } from "../http/errors";
import { decodeCursor, page } from "../lib/cursor";
import { normalizePhone } from "../lib/phone";
import { forgetWebhookContext } from "../webhooks/context-cache";
import { parsePath, resolvePath } from "../webhooks/path";
import { type CheckedRule, checkRule, type RuleDefinition } from "../webhooks/rules/definition";
import { traceGroup } from "../webhooks/rules/interpret";
import { renderEventTemplate } from "../webhooks/templates/render";
import { apiRouter, authErrors, jsonBody, jsonContent, ListQuery, listOf, notFoundError, security } from "./openapi";

/** Most rules one business may have (each event evaluates all active ones). */
export const MAX_RULES_PER_BUSINESS = 200;

const ConditionsDoc = z
  .unknown()
  .openapi({
    description:
      'Seed condition JSON: {"operator":"AND"|"OR","rules":[{"field","operator","value"} | nested group]}. Operators: equals, not_equals, contains, not_contains, starts_with, exists, not_exists, greater_than, less_than, in.',
    example: { operator: "AND", rules: [{ field: "event", operator: "equals", value: "order.created" }] },
  });

const RuleFields = {
  name: z.string().trim().min(1).max(120),
  source: z.enum(RULE_SOURCES),
  conditions: ConditionsDoc,
  template: z.string().min(1).max(4096),
  phone_field: z.string().trim().min(1).max(200),
  device_key: z.uuid(),
  active: z.boolean(),
  priority: z.number().int().min(0).max(10_000).openapi({ description: "Lower fires first; ties by creation time" }),
};

const CreateRule = z
  .strictObject({ ...RuleFields, active: RuleFields.active.default(true), priority: RuleFields.priority.default(100) })
  .openapi("CreateWebhookRule");
const PatchRule = z.strictObject(RuleFields).partial().openapi("UpdateWebhookRule");

const RuleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    source: z.enum(RULE_SOURCES),
    conditions: ConditionsDoc,
    template: z.string(),
    phone_field: z.string(),
    device_key: z.string(),
    active: z.boolean(),
    priority: z.number(),
    created_at: z.number(),
    updated_at: z.number(),
    warnings: z.array(z.string()).optional().openapi({ description: "Placeholders or fields not found in the source's sample payload" }),
  })
  .openapi("WebhookRule");

const TestRequest = z
  .strictObject({
    rule_id: z.uuid().optional(),
    rule: PatchRule.optional().openapi({ description: "An unsaved rule (fields missing here come from rule_id, if given)" }),
    payload: z.record(z.string(), z.unknown()),
  })
  .refine((b) => b.rule_id !== undefined || b.rule !== undefined, "give rule or rule_id")
  .openapi("WebhookRuleTest");

const TraceEntry = z.object({
  depth: z.number(),
  group: z.enum(["AND", "OR"]).nullable(),
  field: z.string(),
  actual: z.unknown(),
  operator: z.string(),
  expected: z.unknown(),
  result: z.boolean(),
});

const TestResult = z
  .object({
    matched: z.boolean(),
    trace: z.array(TraceEntry),
    phone: z.string().nullable(),
    phone_error: z.string().nullable(),
    message: z.string().nullable(),
    missing: z.array(z.string()),
    notes: z.array(z.string()),
    warnings: z.array(z.string()),
  })
  .openapi("WebhookRuleTestResult");

const IdParam = z.object({ id: z.uuid() });

function ruleJson(r: WebhookRule, warnings?: string[]): z.infer<typeof RuleSchema> {
  return {
    id: r.id,
    name: r.name,
    source: r.source,
    conditions: r.conditions,
    template: r.template,
    phone_field: r.phoneField,
    device_key: r.deviceKey,
    active: r.active,
    priority: r.priority,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    ...(warnings ? { warnings } : {}),
  };
}

function checked(def: RuleDefinition): CheckedRule {
  const r = checkRule(def);
  if (!r.ok) {
    const first = r.issues[0];
    throw new ApiError(400, "INVALID_RULE", first ? `${first.path}: ${first.message}` : "rule is not valid", r.issues);
  }
  return r.value;
}

async function checkDevice(db: Db, businessId: string, deviceKey: string): Promise<void> {
  if (!(await getDevice(db, businessId, deviceKey))) {
    throw new ApiError(400, "INVALID_DEVICE", "device_key is not a device of this business");
  }
}

export const webhookRulesApi = apiRouter();
webhookRulesApi.use("*", requireRole("admin"));
webhookRulesApi.on(["POST", "PATCH", "DELETE"], "*", async (c, next) => {
  await next();
  forgetWebhookContext(c.var.auth.business.id);
});

webhookRulesApi
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["webhook rules"],
      security,
      request: { query: ListQuery },
      responses: { 200: jsonContent(listOf(RuleSchema, "WebhookRuleList")), ...authErrors },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listRules(database(c.env.DB), c.var.auth.business.id, q.limit, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (r) => r.id);
      return c.json({ items: p.items.map((r) => ruleJson(r)), next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["webhook rules"],
      summary: "Create a rule",
      security,
      request: jsonBody(CreateRule),
      responses: { 201: jsonContent(RuleSchema, "Created"), ...authErrors },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const { warnings } = checked(body);
      await checkDevice(db, businessId, body.device_key);
      if ((await countRules(db, businessId)) >= MAX_RULES_PER_BUSINESS) {
        throw new ApiError(400, "RULE_LIMIT", `A business can have at most ${MAX_RULES_PER_BUSINESS} webhook rules`);
      }
      const rule = await insertRule(db, {
        id: crypto.randomUUID(),
        businessId,
        name: body.name,
        source: body.source,
        conditions: body.conditions,
        template: body.template,
        phoneField: body.phone_field,
        deviceKey: body.device_key,
        active: body.active,
        priority: body.priority,
        updatedAt: Date.now(),
      });
      return c.json(ruleJson(rule, warnings), 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/test",
      tags: ["webhook rules"],
      summary: "Run a rule (saved or not) against a payload and explain every condition",
      security,
      request: jsonBody(TestRequest),
      responses: { 200: jsonContent(TestResult), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const business = c.var.auth.business;
      const saved = body.rule_id ? await getRule(database(c.env.DB), business.id, body.rule_id) : undefined;
      if (body.rule_id && !saved) throw notFound("Webhook rule");
      const def: RuleDefinition = {
        source: body.rule?.source ?? saved?.source ?? "any",
        conditions: body.rule?.conditions ?? saved?.conditions,
        template: body.rule?.template ?? saved?.template ?? "",
        phone_field: body.rule?.phone_field ?? saved?.phoneField ?? "",
      };
      const rule = checked(def);
      const { result, trace } = traceGroup(rule.conditions, body.payload);
      const phonePath = parsePath(def.phone_field);
      const phone = normalizePhone(phonePath.ok ? resolvePath(body.payload, phonePath.path) : undefined, business.country);
      const r = renderEventTemplate(rule.template, body.payload, { timeZone: business.timezone, locale: business.locale });
      return c.json(
        {
          matched: result,
          trace,
          phone: phone.ok ? phone.digits : null,
          phone_error: phone.ok ? null : phone.reason,
          message: r.text,
          missing: [...r.missing],
          notes: [...r.notes],
          warnings: rule.warnings,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["webhook rules"],
      security,
      request: { params: IdParam },
      responses: { 200: jsonContent(RuleSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const r = await getRule(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id);
      if (!r) throw notFound("Webhook rule");
      return c.json(ruleJson(r), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["webhook rules"],
      security,
      request: { params: IdParam, ...jsonBody(PatchRule) },
      responses: { 200: jsonContent(RuleSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const id = c.req.valid("param").id;
      const current = await getRule(db, businessId, id);
      if (!current) throw notFound("Webhook rule");
      const { warnings } = checked({
        source: body.source ?? current.source,
        conditions: body.conditions ?? current.conditions,
        template: body.template ?? current.template,
        phone_field: body.phone_field ?? current.phoneField,
      });
      if (body.device_key !== undefined) await checkDevice(db, businessId, body.device_key);
      const patch: RulePatch = { updatedAt: Math.max(Date.now(), current.updatedAt + 1) };
      if (body.name !== undefined) patch.name = body.name;
      if (body.source !== undefined) patch.source = body.source;
      if (body.conditions !== undefined) patch.conditions = body.conditions;
      if (body.template !== undefined) patch.template = body.template;
      if (body.phone_field !== undefined) patch.phoneField = body.phone_field;
      if (body.device_key !== undefined) patch.deviceKey = body.device_key;
      if (body.active !== undefined) patch.active = body.active;
      if (body.priority !== undefined) patch.priority = body.priority;
      const updated = await updateRule(db, businessId, id, patch);
      if (!updated) throw notFound("Webhook rule");
      return c.json(ruleJson(updated, warnings), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["webhook rules"],
      security,
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ deleted: z.literal(true) })), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const ok = await deleteRule(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id);
      if (!ok) throw notFound("Webhook rule");
      return c.json({ deleted: true as const }, 200);
    },
  );

