// The D1 schema (drizzle). Migrations in migrations/ are generated from this file with `npm run db:generate`.
// Times are epoch milliseconds; public ids are UUIDs. Every tenant-owned table carries business_id.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const ROLES = ["super_admin", "admin", "staff"] as const;
export type Role = (typeof ROLES)[number];

export const PROVIDERS = ["sandbox", "cloud_api", "baileys"] as const;
export type Provider = (typeof PROVIDERS)[number];

export const DEVICE_STATUSES = [
  "disconnected",
  "starting",
  "qr",
  "pairing_code",
  "connected",
  "logged_out",
  "failed",
] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

export const MESSAGE_STATUSES = ["queued", "sent", "delivered", "read", "failed"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

const createdAt = () =>
  integer("created_at", { mode: "number" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const businesses = sqliteTable("businesses", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  timezone: text("timezone").notNull().default("Asia/Jakarta"),
  country: text("country").notNull().default("ID"),
  locale: text("locale", { enum: ["id", "en"] }).notNull().default("id"),
  package: text("package").notNull().default("trial"),
  activeUntil: integer("active_until", { mode: "number" }).notNull(),
  // Third-party secrets, AES-GCM encrypted with SECRETS_KEY (write-only through the API).
  scalevSigningSecretEnc: text("scalev_signing_secret_enc"),
  lynkMerchantKeyEnc: text("lynk_merchant_key_enc"),
  customWebhookSecretEnc: text("custom_webhook_secret_enc"),
  webhookLogRetentionDays: integer("webhook_log_retention_days").notNull().default(30),
  // The owner's WhatsApp number (digits, 62…) for renewal reminders from the platform's device; null until given.
  ownerPhone: text("owner_phone"),
  // Affiliate program: this business's own code, and the business that referred it (fixed at sign-up).
  referralCode: text("referral_code"),
  referredBy: text("referred_by"),
  // Sources whose unsigned events the business accepts although it has set a signing secret (docs/security.md).
  webhookUnsignedAllowed: text("webhook_unsigned_allowed", { mode: "json" }).$type<WebhookSource[]>().notNull().default([]),
  // SHA-256 of the secret token of /webhook/:business_id/:token (rotatable; shown once).
  webhookTokenHash: text("webhook_token_hash"),
  createdAt: createdAt(),
}, (t) => [uniqueIndex("businesses_referral_code_unique").on(t.referralCode), index("businesses_referred_by_idx").on(t.referredBy, t.createdAt)]);

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    name: text("name").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    passwordHash: text("password_hash").notNull(),
    locale: text("locale", { enum: ["id", "en"] }),
    // Set when the owner of the address followed the verification link; null until then.
    emailVerifiedAt: integer("email_verified_at", { mode: "number" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_unique").on(t.email), index("users_business_idx").on(t.businessId, t.createdAt)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    // SHA-256 of the cookie token, hex: a stolen database does not yield usable cookies.
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    businessId: text("business_id").notNull(),
    expiresAt: integer("expires_at", { mode: "number" }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/**
 * Failed logins per (account, client address), hashed: the backoff grows exponentially for that pair only, so an
 * attacker elsewhere cannot lock the owner out, and unknown emails get exactly the same treatment as known ones.
 */
export const loginThrottles = sqliteTable("login_throttles", {
  keyHash: text("key_hash").primaryKey(),
  failures: integer("failures").notNull().default(0),
  blockedUntil: integer("blocked_until", { mode: "number" }).notNull().default(0),
  updatedAt: integer("updated_at", { mode: "number" }).notNull(),
});

export const AUTH_TOKEN_PURPOSES = ["password_reset", "email_verification"] as const;
export type AuthTokenPurpose = (typeof AUTH_TOKEN_PURPOSES)[number];

/** Single-use tokens sent by email (password reset, email verification); only their SHA-256 is stored. */
export const authTokens = sqliteTable(
  "auth_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: AUTH_TOKEN_PURPOSES }).notNull(),
    expiresAt: integer("expires_at", { mode: "number" }).notNull(),
    usedAt: integer("used_at", { mode: "number" }),
    createdAt: createdAt(),
  },
  (t) => [index("auth_tokens_user_idx").on(t.userId, t.purpose), index("auth_tokens_expires_idx").on(t.expiresAt)],
);

export const API_KEY_SCOPES = ["full", "read_only"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // First characters of the key, shown in lists so a user can tell keys apart.
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    createdBy: text("created_by"),
    // read_only keys may only read (GET); every write route refuses them.
    scope: text("scope", { enum: API_KEY_SCOPES }).notNull().default("full"),
    expiresAt: integer("expires_at", { mode: "number" }),
    lastUsedAt: integer("last_used_at", { mode: "number" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_keys_hash_unique").on(t.keyHash), index("api_keys_business_idx").on(t.businessId, t.createdAt)],
);

export const devices = sqliteTable(
  "devices",
  {
    deviceKey: text("device_key").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    provider: text("provider", { enum: PROVIDERS }).notNull(),
    phone: text("phone"),
    status: text("status", { enum: DEVICE_STATUSES }).notNull().default("disconnected"),
    statusReason: text("status_reason"),
    webhookUrl: text("webhook_url"),
    // Per-device Standard Webhooks secret, encrypted (shown to admins in the dashboard).
    webhookSecretEnc: text("webhook_secret_enc").notNull(),
    // Provider configuration (Cloud API phone number id, token…), encrypted JSON.
    providerConfigEnc: text("provider_config_enc"),
    gatewayId: text("gateway_id"),
    // Pacing and sending-window settings, JSON (see worker/messaging for defaults).
    settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index("devices_business_idx").on(t.businessId, t.createdAt)],
);

export const messages = sqliteTable(
  "messages",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    deviceKey: text("device_key").notNull(),
    direction: text("direction", { enum: ["out", "in"] }).notNull().default("out"),
    // Unique per business: a rule's event, a broadcast recipient, an Idempotency-Key header, an AI turn.
    idempotencyKey: text("idempotency_key").notNull(),
    to: text("to_jid").notNull(),
    text: text("text"),
    // Media, template or location content beyond plain text, JSON.
    content: text("content", { mode: "json" }).$type<Record<string, unknown>>(),
    source: text("source", { enum: ["rule", "api", "broadcast", "ai", "agent", "auto_reply", "inbound"] }).notNull(),
    lane: text("lane", { enum: ["transactional", "broadcast"] }).notNull().default("transactional"),
    status: text("status", { enum: MESSAGE_STATUSES }).notNull().default("queued"),
    error: text("error"),
    providerMessageId: text("provider_message_id"),
    // The conversation an inbound message (or a reply) belongs to; null for sends outside the inbox.
    conversationId: text("conversation_id"),
    // SHA-256 of the API request that created the row under an Idempotency-Key: the same key with another body is refused.
    requestHash: text("request_hash"),
    // When the device's outbox took the job; a `queued` row without it after a minute is swept back onto the queue.
    acceptedAt: integer("accepted_at", { mode: "number" }),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }),
  },
  (t) => [
    uniqueIndex("messages_idempotency_unique").on(t.businessId, t.idempotencyKey),
    index("messages_provider_idx").on(t.deviceKey, t.providerMessageId),
    index("messages_business_idx").on(t.businessId, t.createdAt),
    index("messages_device_idx").on(t.businessId, t.deviceKey, t.createdAt),
    index("messages_status_idx").on(t.status, t.createdAt),
    index("messages_conversation_idx").on(t.conversationId, t.createdAt),
  ],
);

/** People who wrote to (or were written to by) a business, one row per WhatsApp JID. */
export const contacts = sqliteTable(
  "contacts",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    // `62812…@s.whatsapp.net`, or `…@g.us` for a group.
    jid: text("jid").notNull(),
    phone: text("phone"),
    name: text("name"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }),
  },
  (t) => [uniqueIndex("contacts_jid_unique").on(t.businessId, t.jid), index("contacts_business_idx").on(t.businessId, t.createdAt)],
);

/** A chat between one device (number) and one contact: the inbox's unit and the 24-hour window's clock. */
export const conversations = sqliteTable(
  "conversations",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    deviceKey: text("device_key").notNull(),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    lastMessageAt: integer("last_message_at", { mode: "number" }).notNull(),
    // Last message from the customer: Cloud API's customer-service window runs 24 hours from it.
    lastInboundAt: integer("last_inbound_at", { mode: "number" }),
    unreadCount: integer("unread_count").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("conversations_device_contact_unique").on(t.businessId, t.deviceKey, t.contactId),
    index("conversations_recent_idx").on(t.businessId, t.lastMessageAt),
  ],
);

/** Message templates for the seed's `method: "template"` and the dashboard, `{name}`-style variables. */
export const templates = sqliteTable(
  "templates",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    body: text("body").notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }),
  },
  (t) => [uniqueIndex("templates_name_unique").on(t.businessId, t.name), index("templates_business_idx").on(t.businessId, t.createdAt)],
);

/** Every attempt to POST an inbound message to a device's webhook URL, for the user's delivery log. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    deviceKey: text("device_key").notNull(),
    // The Standard Webhooks `webhook-id`: the same for every attempt of one event.
    eventId: text("event_id").notNull(),
    attempt: integer("attempt").notNull(),
    url: text("url").notNull(),
    statusCode: integer("status_code"),
    ok: integer("ok", { mode: "boolean" }).notNull(),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_deliveries_device_idx").on(t.businessId, t.deviceKey, t.createdAt)],
);

export const WEBHOOK_SOURCES = ["scalev", "lynk", "custom"] as const;
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];
export const RULE_SOURCES = [...WEBHOOK_SOURCES, "any"] as const;
export type RuleSource = (typeof RULE_SOURCES)[number];
export const WEBHOOK_LOG_STATUSES = ["success", "failed", "no_match", "duplicate", "rejected"] as const;
/** How an event was authenticated: a valid signature, the secret token URL, accepted unsigned, or refused. */
export const WEBHOOK_SIGNATURES = ["signed", "token", "unsigned_allowed", "refused"] as const;
export type WebhookSignature = (typeof WEBHOOK_SIGNATURES)[number];
export type WebhookLogStatus = (typeof WEBHOOK_LOG_STATUSES)[number];

export const webhookRules = sqliteTable(
  "webhook_rules",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    source: text("source", { enum: RULE_SOURCES }).notNull(),
    // The seed's condition JSON ({operator, rules:[…]}), validated on save (worker/webhooks/rules).
    conditions: text("conditions", { mode: "json" }).$type<unknown>().notNull(),
    template: text("template").notNull(),
    phoneField: text("phone_field").notNull(),
    deviceKey: text("device_key").notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    // Lower fires first; ties by creation time.
    priority: integer("priority").notNull().default(100),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
  },
  (t) => [index("webhook_rules_business_idx").on(t.businessId, t.active, t.priority, t.createdAt)],
);

export const webhookLogs = sqliteTable(
  "webhook_logs",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    source: text("source", { enum: WEBHOOK_SOURCES }).notNull(),
    status: text("status", { enum: WEBHOOK_LOG_STATUSES }).notNull(),
    signature: text("signature", { enum: WEBHOOK_SIGNATURES }).notNull().default("unsigned_allowed"),
    // The event's own id (Scalev unique_id, Lynk refId:message_id, custom webhook-id, else body hash).
    eventKey: text("event_key"),
    ruleNames: text("rule_names", { mode: "json" }).$type<string[]>().notNull().default([]),
    message: text("message").notNull(),
    // Raw body, truncated to the stored cap (see docs/webhooks.md).
    payload: text("payload").notNull(),
    payloadTruncated: integer("payload_truncated", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    index("webhook_logs_business_idx").on(t.businessId, t.createdAt),
    index("webhook_logs_status_idx").on(t.businessId, t.status, t.createdAt),
    index("webhook_logs_created_idx").on(t.createdAt),
  ],
);

/** One row per processed event: the first request to insert it owns the event; replays find it taken. */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    eventKey: text("event_key").notNull(),
    logId: text("log_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.businessId, t.eventKey] }), index("webhook_events_created_idx").on(t.createdAt)],
);

/**
 * The package catalogue (operator-edited through /internal/packages). Prices are integers in rupiah; a null limit
 * means unlimited. `trial` is the package of a new business and is not for sale.
 */
export const packages = sqliteTable("packages", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  priceMonthly: integer("price_monthly").notNull(),
  priceYearly: integer("price_yearly").notNull(),
  devices: integer("devices"),
  agents: integer("agents"),
  messagesPerDay: integer("messages_per_day"),
  broadcastRecipientsPerMonth: integer("broadcast_recipients_per_month"),
  aiTokensPerDay: integer("ai_tokens_per_day"),
  liveChat: integer("live_chat", { mode: "boolean" }).notNull().default(false),
  purchasable: integer("purchasable", { mode: "boolean" }).notNull().default(true),
  sortOrder: integer("sort_order").notNull().default(100),
  updatedAt: integer("updated_at", { mode: "number" }),
});

export const INVOICE_KINDS = ["subscription", "manual", "free_extension"] as const;
export const INVOICE_STATUSES = ["pending", "paid", "expired", "refund_pending", "refunded"] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** One purchase (or free extension) of a package for a number of months. Amounts in rupiah. */
export const invoices = sqliteTable(
  "invoices",
  {
    id: text("id").primaryKey(),
    number: text("number").notNull(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: INVOICE_KINDS }).notNull(),
    packageId: text("package_id").notNull(),
    months: integer("months").notNull(),
    // List price of the period, the pro-rata credit of the current package, and what is due (price - credit).
    price: integer("price").notNull(),
    credit: integer("credit").notNull().default(0),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull().default("IDR"),
    status: text("status", { enum: INVOICE_STATUSES }).notNull().default("pending"),
    provider: text("provider", { enum: ["xendit", "manual", "none"] }).notNull(),
    providerInvoiceId: text("provider_invoice_id"),
    invoiceUrl: text("invoice_url"),
    reference: text("reference"),
    // The period this invoice paid for (set when paid).
    periodStart: integer("period_start", { mode: "number" }),
    periodEnd: integer("period_end", { mode: "number" }),
    paidAt: integer("paid_at", { mode: "number" }),
    paymentMethod: text("payment_method"),
    refundedAt: integer("refunded_at", { mode: "number" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("invoices_number_unique").on(t.number),
    uniqueIndex("invoices_provider_unique").on(t.provider, t.providerInvoiceId),
    index("invoices_business_idx").on(t.businessId, t.createdAt),
  ],
);

/** Every provider callback or manual payment seen, by the provider's own id: the first insert owns the event. */
export const paymentEvents = sqliteTable(
  "payment_events",
  {
    provider: text("provider").notNull(),
    eventId: text("event_id").notNull(),
    invoiceId: text("invoice_id"),
    outcome: text("outcome", { enum: ["applied", "ignored", "mismatch"] }).notNull(),
    detail: text("detail").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] })],
);

export const COMMISSION_STATUSES = ["pending", "available", "paid", "reversed"] as const;
export type CommissionStatus = (typeof COMMISSION_STATUSES)[number];

/** The affiliate ledger: one commission per paid invoice of a referred business (a clawback if paid then refunded). */
export const commissions = sqliteTable(
  "commissions",
  {
    id: text("id").primaryKey(),
    referrerId: text("referrer_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    referredId: text("referred_id").notNull(),
    invoiceId: text("invoice_id").notNull(),
    kind: text("kind", { enum: ["commission", "clawback"] }).notNull().default("commission"),
    invoiceAmount: integer("invoice_amount").notNull(),
    percent: integer("percent").notNull(),
    amount: integer("amount").notNull(),
    status: text("status", { enum: COMMISSION_STATUSES }).notNull(),
    availableAt: integer("available_at", { mode: "number" }).notNull(),
    payoutId: text("payout_id"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("commissions_invoice_unique").on(t.invoiceId, t.kind),
    index("commissions_referrer_idx").on(t.referrerId, t.createdAt),
    index("commissions_due_idx").on(t.status, t.availableAt),
  ],
);

export const payouts = sqliteTable(
  "payouts",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    amount: integer("amount").notNull(),
    method: text("method", { enum: ["bank", "ewallet"] }).notNull(),
    provider: text("provider").notNull(),
    accountName: text("account_name").notNull(),
    accountNumber: text("account_number").notNull(),
    status: text("status", { enum: ["requested", "paid"] }).notNull().default("requested"),
    reference: text("reference"),
    paidAt: integer("paid_at", { mode: "number" }),
    createdAt: createdAt(),
  },
  (t) => [index("payouts_business_idx").on(t.businessId, t.createdAt), index("payouts_status_idx").on(t.status, t.createdAt)],
);

/** One row per renewal reminder sent: (business, the expiry it is about, days before). Cron re-runs find it taken. */
export const billingReminders = sqliteTable(
  "billing_reminders",
  {
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    periodEnd: integer("period_end", { mode: "number" }).notNull(),
    daysBefore: integer("days_before").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.businessId, t.periodEnd, t.daysBefore] })],
);

/** Usage the later modules report (broadcast recipients per month, AI tokens per day), per period key. */
export const usageCounters = sqliteTable(
  "usage_counters",
  {
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    metric: text("metric").notNull(),
    // `2026-12-03` for a daily metric, `2026-12` for a monthly one (the business's time zone).
    period: text("period").notNull(),
    amount: integer("amount").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.businessId, t.metric, t.period] })],
);
