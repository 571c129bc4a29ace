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

/** `skipped`: withdrawn from the outbox before it was handed out (a cancelled or paused broadcast or campaign). */
export const MESSAGE_STATUSES = ["queued", "sent", "delivered", "read", "failed", "skipped"] as const;
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
  // Sources whose unsigned events the business accepts although it has set a signing secret (docs/security.md).
  webhookUnsignedAllowed: text("webhook_unsigned_allowed", { mode: "json" }).$type<WebhookSource[]>().notNull().default([]),
  // SHA-256 of the secret token of /webhook/:business_id/:token (rotatable; shown once).
  webhookTokenHash: text("webhook_token_hash"),
  createdAt: createdAt(),
});

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

export const MEDIA_KINDS = ["image", "video", "audio", "document"] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/**
 * Files in R2 (`media/<business_id>/<id>`): media of outbound sends, fetched once by the Worker through the URL
 * guard (`source_url` is where from), and inbound media uploaded by a gateway or downloaded from Meta. The id
 * is 192 random bits. Jobs carry the id, never a URL; a gateway may read a send's media only for its device.
 */
export const mediaObjects = sqliteTable(
  "media_objects",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    // The device the send was accepted for (outbound) or that received it (inbound); null if not known.
    deviceKey: text("device_key"),
    direction: text("direction", { enum: ["out", "in"] }).notNull(),
    kind: text("kind", { enum: MEDIA_KINDS }),
    mimeType: text("mime_type").notNull(),
    size: integer("size").notNull(),
    fileName: text("file_name"),
    sourceUrl: text("source_url"),
    createdAt: createdAt(),
  },
  (t) => [index("media_objects_business_idx").on(t.businessId, t.createdAt)],
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

export const INBOUND_EFFECT_KINDS = ["forward", "auto_reply"] as const;

/**
 * The side effects of one stored inbound message (the device-webhook forward, the auto-reply decision), written in
 * the same D1 batch as the message so a crash after the insert cannot lose them: the live path runs them and marks
 * them done; the cron sweep re-drives any left undone. Keyed by device + provider message id + kind, so a
 * redelivered message (deduped) never creates them twice.
 */
export const inboundEffects = sqliteTable(
  "inbound_effects",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    deviceKey: text("device_key").notNull(),
    messageId: text("message_id").notNull(),
    kind: text("kind", { enum: INBOUND_EFFECT_KINDS }).notNull(),
    // forward: the device-webhook job; auto_reply: the chat and sender the reply needs.
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    // The sweep leaves a row alone until then (the live path is still running it).
    nextAt: integer("next_at", { mode: "number" }).notNull(),
    doneAt: integer("done_at", { mode: "number" }),
    createdAt: createdAt(),
  },
  (t) => [index("inbound_effects_due_idx").on(t.doneAt, t.nextAt), index("inbound_effects_business_idx").on(t.businessId, t.createdAt)],
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
