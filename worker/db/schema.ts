// The D1 schema (drizzle). Migrations in migrations/ are generated from this file with `npm run db:generate`.
// Times are epoch milliseconds; public ids are UUIDs. Every tenant-owned table carries business_id.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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

export const WEBHOOK_SOURCES = ["scalev", "lynk", "custom"] as const;
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];

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
    source: text("source", { enum: ["rule", "api", "broadcast", "ai", "agent", "auto_reply", "inbound", "campaign"] }).notNull(),
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
    // A contact's messages outside any conversation (rule and API sends to their number): timeline, deletion.
    index("messages_to_idx").on(t.businessId, t.to, t.createdAt),
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

export const CHANNEL_KINDS = ["whatsapp", "web"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** Where conversations happen: one WhatsApp device (any provider), or the business's website chat. */
export const channels = sqliteTable(
  "channels",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: CHANNEL_KINDS }).notNull(),
    // The WhatsApp device of a `whatsapp` channel; kept after the device is deleted so history stays readable.
    deviceKey: text("device_key"),
    name: text("name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("channels_device_unique").on(t.deviceKey), index("channels_business_idx").on(t.businessId, t.createdAt)],
);

export const CONTACT_SOURCES = ["whatsapp", "web_chat", "scalev", "lynk", "custom", "import", "manual"] as const;
export type ContactSource = (typeof CONTACT_SOURCES)[number];
export const ON_WHATSAPP = ["unknown", "yes", "no"] as const;

/**
 * One customer of a business, across every channel. Merged by normalised phone, then email. A WhatsApp
 * `@lid` id that was never resolved to a number lives in wa_jid only: it is an identifier, never a phone.
 */
export const contacts = sqliteTable(
  "contacts",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name"),
    // International digits (62812…), unique per business.
    phone: text("phone"),
    // Lower-cased.
    email: text("email"),
    // `62812…@s.whatsapp.net`, `…@lid`, or `…@g.us` for a group.
    waJid: text("wa_jid"),
    // The website chat's visitor id (live chat).
    webVisitorId: text("web_visitor_id"),
    isGroup: integer("is_group", { mode: "boolean" }).notNull().default(false),
    customFields: text("custom_fields", { mode: "json" }).$type<Record<string, string | number>>().notNull().default({}),
    notes: text("notes"),
    optedOut: integer("opted_out", { mode: "boolean" }).notNull().default(false),
    optedOutAt: integer("opted_out_at", { mode: "number" }),
    optedOutReason: text("opted_out_reason"),
    onWhatsapp: text("on_whatsapp", { enum: ON_WHATSAPP }).notNull().default("unknown"),
    source: text("source", { enum: CONTACT_SOURCES }).notNull().default("manual"),
    archived: integer("archived", { mode: "boolean" }).notNull().default(false),
    firstSeenAt: integer("first_seen_at", { mode: "number" }),
    lastSeenAt: integer("last_seen_at", { mode: "number" }),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
  },
  (t) => [
    uniqueIndex("contacts_phone_unique").on(t.businessId, t.phone),
    uniqueIndex("contacts_wa_jid_unique").on(t.businessId, t.waJid),
    uniqueIndex("contacts_visitor_unique").on(t.businessId, t.webVisitorId),
    index("contacts_email_idx").on(t.businessId, t.email),
    index("contacts_recent_idx").on(t.businessId, t.updatedAt),
  ],
);

export const CONVERSATION_STATUSES = ["open", "pending", "snoozed", "resolved"] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
export const PRIORITIES = ["none", "low", "medium", "high", "urgent"] as const;
export const BOT_STATES = ["active", "handed_off", "silenced"] as const;
export type BotState = (typeof BOT_STATES)[number];

/** A chat between one contact and one channel: the inbox's unit and the 24-hour window's clock. */
export const conversations = sqliteTable(
  "conversations",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    channelId: text("channel_id")
      .notNull()
      .references(() => channels.id, { onDelete: "cascade" }),
    // The channel's device (whatsapp channels), copied so the send path and the inbox need no join.
    deviceKey: text("device_key"),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    status: text("status", { enum: CONVERSATION_STATUSES }).notNull().default("open"),
    snoozeUntil: integer("snooze_until", { mode: "number" }),
    assigneeId: text("assignee_id"),
    priority: text("priority", { enum: PRIORITIES }).notNull().default("none"),
    unreadCount: integer("unread_count").notNull().default(0),
    lastMessageAt: integer("last_message_at", { mode: "number" }).notNull(),
    lastMessageText: text("last_message_text"),
    lastMessageDirection: text("last_message_direction", { enum: ["in", "out"] }),
    // Last message from the customer: Cloud API's customer-service window runs 24 hours from it.
    lastInboundAt: integer("last_inbound_at", { mode: "number" }),
    botState: text("bot_state", { enum: BOT_STATES }).notNull().default("active"),
    botSilencedUntil: integer("bot_silenced_until", { mode: "number" }),
    botStateReason: text("bot_state_reason"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }),
  },
  (t) => [
    uniqueIndex("conversations_channel_contact_unique").on(t.businessId, t.channelId, t.contactId),
    index("conversations_recent_idx").on(t.businessId, t.lastMessageAt),
    index("conversations_status_idx").on(t.businessId, t.status, t.lastMessageAt),
    index("conversations_assignee_idx").on(t.businessId, t.assigneeId, t.lastMessageAt),
    index("conversations_contact_idx").on(t.contactId),
  ],
);

/** Labels for contacts and conversations (broadcasts and campaigns later). Names unique per business, any case. */
export const labels = sqliteTable(
  "labels",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // lower(trim(name)): the uniqueness key.
    nameKey: text("name_key").notNull(),
    color: text("color").notNull().default("#64748b"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("labels_name_unique").on(t.businessId, t.nameKey)],
);

export const contactLabels = sqliteTable(
  "contact_labels",
  {
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    labelId: text("label_id")
      .notNull()
      .references(() => labels.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.labelId] }), index("contact_labels_label_idx").on(t.labelId, t.contactId)],
);

export const conversationLabels = sqliteTable(
  "conversation_labels",
  {
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    labelId: text("label_id")
      .notNull()
      .references(() => labels.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.labelId] }), index("conversation_labels_label_idx").on(t.labelId, t.conversationId)],
);

export const CONTACT_FIELD_TYPES = ["text", "number", "date", "choice"] as const;
export type ContactFieldType = (typeof CONTACT_FIELD_TYPES)[number];

/** A business's custom contact fields; values live in contacts.custom_fields under `key`. */
export const contactFields = sqliteTable(
  "contact_fields",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    label: text("label").notNull(),
    type: text("type", { enum: CONTACT_FIELD_TYPES }).notNull(),
    options: text("options", { mode: "json" }).$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("contact_fields_key_unique").on(t.businessId, t.key)],
);

/** The orders timeline: one row per order (Scalev order id, Lynk refId, custom reference), updated in place. */
export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    source: text("source", { enum: WEBHOOK_SOURCES }).notNull(),
    externalId: text("external_id").notNull(),
    event: text("event"),
    status: text("status"),
    paymentStatus: text("payment_status"),
    // Rupiah, integers.
    amount: integer("amount"),
    items: text("items", { mode: "json" }).$type<{ name: string; qty: number; price: number | null }[]>().notNull().default([]),
    // The event's own timestamp: an older event never overwrites a newer one.
    eventAt: integer("event_at", { mode: "number" }).notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
  },
  (t) => [uniqueIndex("orders_external_unique").on(t.businessId, t.source, t.externalId), index("orders_contact_idx").on(t.contactId, t.eventAt)],
);

/** An automatic merge that found the phone on one contact and the email on another: the phone won; a human decides. */
export const contactConflicts = sqliteTable(
  "contact_conflicts",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    otherContactId: text("other_contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    phone: text("phone").notNull(),
    email: text("email").notNull(),
    source: text("source").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("contact_conflicts_pair_unique").on(t.businessId, t.contactId, t.otherContactId), index("contact_conflicts_business_idx").on(t.businessId, t.createdAt)],
);

export const IMPORT_STATUSES = ["uploaded", "running", "done", "failed"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** A CSV import: the file waits in R2; the ContactImport Durable Object works through it from `offset`. */
export const contactImports = sqliteTable(
  "contact_imports",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    createdBy: text("created_by"),
    status: text("status", { enum: IMPORT_STATUSES }).notNull().default("uploaded"),
    fileName: text("file_name"),
    totalBytes: integer("total_bytes").notNull(),
    // Mapping, labels and options (worker/crm/import-plan.ts), JSON.
    options: text("options", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    // Checkpoint: bytes of the file done, and the counters up to there.
    bytesDone: integer("bytes_done").notNull().default(0),
    rowsDone: integer("rows_done").notNull().default(0),
    created: integer("created").notNull().default(0),
    merged: integer("merged").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    error: text("error"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
  },
  (t) => [index("contact_imports_business_idx").on(t.businessId, t.createdAt)],
);

export const contactImportErrors = sqliteTable(
  "contact_import_errors",
  {
    importId: text("import_id")
      .notNull()
      .references(() => contactImports.id, { onDelete: "cascade" }),
    row: integer("row").notNull(),
    reason: text("reason").notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.row] })],
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

export const INBOUND_EFFECT_KINDS = ["forward", "auto_reply", "webhook_customer", "web_auto_reply"] as const;

/**
 * The side effects of one stored inbound message (the device-webhook forward, the auto-reply decision) or of one
 * accepted e-commerce webhook event (`webhook_customer`: the contact and the order timeline), written in the same
 * D1 batch as the message or the event's claim so a crash after it cannot lose them: the live path runs them
 * after answering and marks them done; the cron sweep re-drives any left undone. Keyed by device + provider
 * message id + kind, or by the event key, so a redelivery (deduped) never creates them twice.
 */
export const inboundEffects = sqliteTable(
  "inbound_effects",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    // The device of an inbound message; null for a webhook event (it has no device).
    deviceKey: text("device_key"),
    // The inbound message, or the webhook event's log row.
    messageId: text("message_id").notNull(),
    kind: text("kind", { enum: INBOUND_EFFECT_KINDS }).notNull(),
    // forward: the device-webhook job; auto_reply: the chat and sender the reply needs; webhook_customer: the
    // customer and order facts read from the event (worker/crm/webhook-customer.ts); web_auto_reply: a website
    // visitor's message to answer (worker/livechat/web-auto-reply.ts; device_key is the chat's `web:<channel>`).
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
    // The event's CRM side (worker/crm/webhook-customer.ts facts: contact + order), written with the log row when
    // this delivery owns the event and run after the answer by the webhook-effects queue; `customer_due_at` is
    // when the sweep may (re)run it, NULL once it ran. Kept in the log row rather than an inbound_effects row:
    // one statement fewer in the webhook's batch (docs/benchmarks.md, bench:webhook).
    customer: text("customer", { mode: "json" }).$type<unknown>(),
    customerDueAt: integer("customer_due_at"),
    createdAt: createdAt(),
  },
  (t) => [
    index("webhook_logs_business_idx").on(t.businessId, t.createdAt),
    index("webhook_logs_status_idx").on(t.businessId, t.status, t.createdAt),
    index("webhook_logs_created_idx").on(t.createdAt),
    index("webhook_logs_customer_due_idx").on(t.customerDueAt).where(sql`customer_due_at IS NOT NULL`),
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
  // Broadcasts running (scheduled, running or waiting for their window) at once (issue 11).
  broadcastsRunning: integer("broadcasts_running"),
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

/** Referral link clicks (`/app/signup?ref=CODE`): one counter per referrer per day (Asia/Jakarta), nothing about
 *  who clicked — no IP, no user agent, no cookie id (issue 14's funnel: clicks → sign-ups → paying). */
export const referralClicks = sqliteTable(
  "referral_clicks",
  {
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    clicks: integer("clicks").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.businessId, t.day] })],
);

// ---- Issue 12: keyword auto-replies and the AI agent ----

export const AUTO_REPLY_MATCHES = ["exact", "contains", "starts_with", "regex"] as const;
export type AutoReplyMatch = (typeof AUTO_REPLY_MATCHES)[number];

/** A keyword auto-reply: the first active rule that matches (by priority, then age) answers; they run before the AI. */
export const autoReplies = sqliteTable(
  "auto_replies",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    // null: every channel of the business.
    channelId: text("channel_id").references(() => channels.id, { onDelete: "cascade" }),
    matchType: text("match_type", { enum: AUTO_REPLY_MATCHES }).notNull(),
    pattern: text("pattern").notNull(),
    // Exactly one of the two (checked by the API): a text, or a saved template rendered with {name}.
    replyText: text("reply_text"),
    templateId: text("template_id").references(() => templates.id, { onDelete: "set null" }),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    priority: integer("priority").notNull().default(0),
    cooldownSeconds: integer("cooldown_seconds"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }),
  },
  (t) => [index("auto_replies_business_idx").on(t.businessId, t.priority)],
);

/** When a rule last answered a chat (its per-contact cooldown). */
export const autoReplyHits = sqliteTable(
  "auto_reply_hits",
  {
    ruleId: text("rule_id")
      .notNull()
      .references(() => autoReplies.id, { onDelete: "cascade" }),
    chatJid: text("chat_jid").notNull(),
    at: integer("at", { mode: "number" }).notNull(),
    // The message that claimed it: a re-driven effect for the same message claims it again (crash safety).
    messageId: text("message_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.chatJid] })],
);

export const AI_HOURS_MODES = ["always", "outside_hours"] as const;

/** The AI agent's settings, one row per business (absent: the defaults in worker/ai/settings.ts, AI off). */
export const aiSettings = sqliteTable("ai_settings", {
  businessId: text("business_id")
    .primaryKey()
    .references(() => businesses.id, { onDelete: "cascade" }),
  // Channel ids (WhatsApp devices' channels and the website chat's) the agent answers on.
  channelIds: text("channel_ids", { mode: "json" }).$type<string[]>().notNull().default([]),
  persona: text("persona").notNull().default(""),
  instructions: text("instructions").notNull().default(""),
  model: text("model").notNull().default("gpt-4o-mini"),
  temperature: real("temperature").notNull().default(0.3),
  maxReplyChars: integer("max_reply_chars").notNull().default(1000),
  baseUrl: text("base_url").notNull().default("https://api.openai.com/v1"),
  apiKeyEnc: text("api_key_enc"),
  hoursMode: text("hours_mode", { enum: AI_HOURS_MODES }).notNull().default("always"),
  // Business hours in minutes after midnight, business time zone (used by `outside_hours`).
  hoursStart: integer("hours_start").notNull().default(480),
  hoursEnd: integer("hours_end").notNull().default(1020),
  debounceMs: integer("debounce_ms").notNull().default(5000),
  maxWaitMs: integer("max_wait_ms").notNull().default(20000),
  groupsEnabled: integer("groups_enabled", { mode: "boolean" }).notNull().default(false),
  handoffKeywords: text("handoff_keywords", { mode: "json" }).$type<string[]>().notNull().default(["admin", "cs", "manusia", "orang"]),
  handoffMinutes: integer("handoff_minutes").notNull().default(240),
  humanSilenceMinutes: integer("human_silence_minutes").notNull().default(30),
  fallbackText: text("fallback_text").notNull().default("Mohon maaf, kami belum bisa menjawab sekarang. Tim kami akan segera membalas."),
  updatedAt: integer("updated_at", { mode: "number" }),
});

export const KNOWLEDGE_KINDS = ["faq", "text", "product"] as const;
export type KnowledgeKind = (typeof KNOWLEDGE_KINDS)[number];

/** What the AI agent may answer from. Indexed by `knowledge_fts` (FTS5, hand-written in migration 0009). */
export const knowledgeEntries = sqliteTable(
  "knowledge_entries",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: KNOWLEDGE_KINDS }).notNull(),
    title: text("title").notNull(),
    body: text("body").notNull().default(""),
    // Products: price in rupiah and a link.
    price: integer("price"),
    link: text("link"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }),
  },
  (t) => [index("knowledge_business_idx").on(t.businessId, t.createdAt)],
);

/**
 * Live chat (issue 13): the business's website widget. `widget_key` is public (it is in the snippet on the
 * business's pages) and rotatable; it is not the business id. `config` holds the look, greeting, origin
 * allow-list and business hours (worker/livechat/settings.ts is its schema).
 */
export const livechatSettings = sqliteTable("livechat_settings", {
  businessId: text("business_id")
    .primaryKey()
    .references(() => businesses.id, { onDelete: "cascade" }),
  widgetKey: text("widget_key").notNull().unique(),
  config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
  updatedAt: integer("updated_at", { mode: "number" }).notNull(),
});

/** Inbox canned responses: `/shortcut` in the reply box inserts the text, with {{variables}} filled in. */
export const cannedResponses = sqliteTable(
  "canned_responses",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    // Lower-case letters, digits, `-` and `_`; unique per business.
    shortcut: text("shortcut").notNull(),
    text: text("text").notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
  },
  (t) => [uniqueIndex("canned_responses_shortcut_unique").on(t.businessId, t.shortcut)],
);

/** Internal notes on a conversation (never sent to the customer); `mentions` are the user ids @mentioned. */
export const conversationNotes = sqliteTable(
  "conversation_notes",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    authorId: text("author_id"),
    text: text("text").notNull(),
    mentions: text("mentions", { mode: "json" }).$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [index("conversation_notes_conversation_idx").on(t.conversationId, t.createdAt)],
);

/** "Continue on WhatsApp" codes: the visitor's wa.me message carries the code; its arrival links the contacts. */
export const livechatHandoffs = sqliteTable(
  "livechat_handoffs",
  {
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    code: text("code").notNull(),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    usedAt: integer("used_at", { mode: "number" }),
  },
  (t) => [primaryKey({ columns: [t.businessId, t.code] })],
);

// ── Broadcasts (issue 11) ──────────────────────────────────────────────────────────────────────────
export const BROADCAST_STATUSES = ["draft", "scheduled", "running", "waiting_window", "paused", "auto_paused", "cancelled", "completed"] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];
export const RECIPIENT_STATUSES = ["pending", "queued", "sent", "delivered", "read", "failed", "skipped"] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];
export const SKIP_REASONS = ["opted_out", "not_on_whatsapp", "duplicate", "invalid_phone", "withdrawn"] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** A broadcast: one message (with variations) to an audience, sent by one device through the broadcast lane. */
export const broadcasts = sqliteTable(
  "broadcasts",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    deviceKey: text("device_key").notNull(),
    status: text("status", { enum: BROADCAST_STATUSES }).notNull().default("draft"),
    statusReason: text("status_reason"),
    // {texts: string[], variable_defaults: {}, media_id?, template_id?} — see worker/broadcasts/message.ts.
    message: text("message", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    // {labels_all, labels_any, exclude_labels, contact_ids} — see worker/broadcasts/audience.ts.
    audience: text("audience", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    // {start_at, window_start, window_end, days, pacing overrides}.
    schedule: text("schedule", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
    labelIds: text("label_ids", { mode: "json" }).$type<string[]>().notNull().default([]),
    total: integer("total").notNull().default(0),
    startedAt: integer("started_at", { mode: "number" }),
    finishedAt: integer("finished_at", { mode: "number" }),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
  },
  (t) => [index("broadcasts_business_idx").on(t.businessId, t.createdAt)],
);

/**
 * One row per audience member, materialised at start in audience order (`seq`). Sent/delivered/read/failed are
 * read through the message row (message_id), so a status change costs no write here.
 */
export const broadcastRecipients = sqliteTable(
  "broadcast_recipients",
  {
    broadcastId: text("broadcast_id")
      .notNull()
      .references(() => broadcasts.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    contactId: text("contact_id").notNull(),
    phone: text("phone"),
    status: text("status", { enum: ["pending", "queued", "skipped"] }).notNull().default("pending"),
    skipReason: text("skip_reason", { enum: SKIP_REASONS }),
    text: text("text"),
    messageId: text("message_id"),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.seq] }), index("broadcast_recipients_status_idx").on(t.broadcastId, t.status, t.seq)],
);

/** Per-business broadcast settings: opt-out/opt-in keywords and their confirmations, broadcasts running at once. */
export const broadcastSettings = sqliteTable("broadcast_settings", {
  businessId: text("business_id")
    .primaryKey()
    .references(() => businesses.id, { onDelete: "cascade" }),
  // {stop_keywords, start_keywords, stop_reply, start_reply, max_running} — see worker/broadcasts/settings.ts.
  settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
  updatedAt: integer("updated_at", { mode: "number" }).notNull(),
});

/**
 * Meta message templates of a `cloud_api` device's WhatsApp Business Account, as last synced from the Graph API
 * (worker/messaging/providers/cloud-api-templates.ts). A sync replaces the device's set; only `APPROVED` ones can
 * be broadcast. Keyed by Meta's (name, language): the pair a send names.
 */
export const metaTemplates = sqliteTable(
  "meta_templates",
  {
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    deviceKey: text("device_key").notNull(),
    name: text("name").notNull(),
    language: text("language").notNull(),
    // Meta's template id.
    metaId: text("meta_id"),
    status: text("status").notNull(),
    category: text("category"),
    // Meta's `components` array as given (HEADER/BODY/FOOTER/BUTTONS).
    components: text("components", { mode: "json" }).$type<unknown[]>().notNull(),
    syncedAt: integer("synced_at", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.businessId, t.deviceKey, t.name, t.language] })],
);

/**
 * Which contacts a CSV import wrote (created or merged), so a broadcast's audience can be "the rows of this file"
 * (worker/broadcasts/audience.ts `import_ids`). Written per batch by the import; a redone batch adds nothing.
 */
export const contactImportContacts = sqliteTable(
  "contact_import_contacts",
  {
    importId: text("import_id")
      .notNull()
      .references(() => contactImports.id, { onDelete: "cascade" }),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.importId, t.contactId] })],
);

// ── Upselling campaigns (issue 11): follow-up sequences started by a trigger, run by the CampaignEngine DO ──
export const CAMPAIGN_STATUSES = ["inactive", "active"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const CAMPAIGN_TRIGGERS = ["webhook_rule", "label_added", "manual"] as const;
export type CampaignTrigger = (typeof CAMPAIGN_TRIGGERS)[number];
export const ENROLLMENT_STATUSES = ["active", "completed", "exited"] as const;
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number];
export const EXIT_REASONS = ["replied", "opted_out", "condition", "not_on_whatsapp", "invalid_phone", "contact_gone"] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export const campaigns = sqliteTable(
  "campaigns",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    deviceKey: text("device_key").notNull(),
    status: text("status", { enum: CAMPAIGN_STATUSES }).notNull().default("inactive"),
    triggerType: text("trigger_type", { enum: CAMPAIGN_TRIGGERS }).notNull(),
    // The webhook rule's id or the label's id the trigger listens to; null for manual.
    triggerRef: text("trigger_ref"),
    // [{type: "wait"|"condition"|"send", …}] — see worker/campaigns/steps.ts.
    steps: text("steps", { mode: "json" }).$type<unknown[]>().notNull(),
    // {window_start, window_end, days, pacing?} — the sending window of its sends (worker/broadcasts/schedule.ts).
    window: text("window", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
    exitOnReply: integer("exit_on_reply", { mode: "boolean" }).notNull().default(true),
    labelIds: text("label_ids", { mode: "json" }).$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
  },
  (t) => [index("campaigns_business_idx").on(t.businessId, t.createdAt), index("campaigns_trigger_idx").on(t.businessId, t.triggerType, t.triggerRef)],
);

/** One contact's run through a campaign, once per trigger event; `step` is the next step to run at `next_at`. */
export const campaignEnrollments = sqliteTable(
  "campaign_enrollments",
  {
    id: text("id").primaryKey(),
    campaignId: text("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    businessId: text("business_id").notNull(),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    // `webhook:<log id>`, `label:<label id>:<ms>`, `manual:<id>`: the same event never enrols a contact twice.
    triggerEvent: text("trigger_event").notNull(),
    status: text("status", { enum: ENROLLMENT_STATUSES }).notNull().default("active"),
    exitReason: text("exit_reason", { enum: EXIT_REASONS }),
    step: integer("step").notNull().default(0),
    nextAt: integer("next_at", { mode: "number" }).notNull(),
    repliedAt: integer("replied_at", { mode: "number" }),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
  },
  (t) => [
    uniqueIndex("campaign_enrollments_event_unique").on(t.campaignId, t.contactId, t.triggerEvent),
    index("campaign_enrollments_due_idx").on(t.businessId, t.status, t.nextAt),
    index("campaign_enrollments_contact_idx").on(t.contactId, t.status),
    index("campaign_enrollments_campaign_idx").on(t.campaignId, t.createdAt),
  ],
);

// ── Inbox notifications (issue 13, inbox): @mentions in notes and assignments, per user ──────────────────────

export const INBOX_NOTIFICATION_KINDS = ["mention", "assigned"] as const;

/** Something the inbox tells one user (a note mentioned them, a conversation was assigned to them); read_at when seen. */
export const inboxNotifications = sqliteTable(
  "inbox_notifications",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: INBOX_NOTIFICATION_KINDS }).notNull(),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    noteId: text("note_id"),
    // Who caused it (the note's author, who assigned); null for the system (round-robin).
    actorId: text("actor_id"),
    text: text("text").notNull(),
    createdAt: createdAt(),
    readAt: integer("read_at", { mode: "number" }),
  },
  (t) => [index("inbox_notifications_user_idx").on(t.userId, t.createdAt)],
);

/** A user's inbox preferences: browser notifications and the sound for new and assigned conversations. */
export const inboxPreferences = sqliteTable("inbox_preferences", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  businessId: text("business_id")
    .notNull()
    .references(() => businesses.id, { onDelete: "cascade" }),
  notify: text("notify", { enum: ["on", "off"] }).notNull().default("on"),
  updatedAt: integer("updated_at", { mode: "number" }).notNull(),
});
