-- Issue 10 (CRM): channels, contacts as the centre, labels, custom fields, orders, conflicts, imports.
-- Hand-ordered (not drizzle-kit's table rebuild): D1 enforces foreign keys and DROP TABLE runs an implicit
-- DELETE that would cascade, so the old contacts/conversations are copied into new tables first, rows that
-- are one person are merged through mapping tables, and only then are the old tables dropped.
CREATE TABLE `channels` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`kind` text NOT NULL,
	`device_key` text,
	`name` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `channels_device_unique` ON `channels` (`device_key`);
--> statement-breakpoint
CREATE INDEX `channels_business_idx` ON `channels` (`business_id`,`created_at`);
--> statement-breakpoint
CREATE TABLE `labels` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`color` text DEFAULT '#64748b' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `labels_name_unique` ON `labels` (`business_id`,`name_key`);
--> statement-breakpoint
CREATE TABLE `contact_fields` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`key` text NOT NULL,
	`label` text NOT NULL,
	`type` text NOT NULL,
	`options` text DEFAULT '[]' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contact_fields_key_unique` ON `contact_fields` (`business_id`,`key`);
--> statement-breakpoint
CREATE TABLE `contact_imports` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`created_by` text,
	`status` text DEFAULT 'uploaded' NOT NULL,
	`file_name` text,
	`total_bytes` integer NOT NULL,
	`options` text NOT NULL,
	`bytes_done` integer DEFAULT 0 NOT NULL,
	`rows_done` integer DEFAULT 0 NOT NULL,
	`created` integer DEFAULT 0 NOT NULL,
	`merged` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `contact_imports_business_idx` ON `contact_imports` (`business_id`,`created_at`);
--> statement-breakpoint
CREATE TABLE `contact_import_errors` (
	`import_id` text NOT NULL,
	`row` integer NOT NULL,
	`reason` text NOT NULL,
	PRIMARY KEY(`import_id`, `row`),
	FOREIGN KEY (`import_id`) REFERENCES `contact_imports`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `contacts_v2` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`name` text,
	`phone` text,
	`email` text,
	`wa_jid` text,
	`web_visitor_id` text,
	`is_group` integer DEFAULT false NOT NULL,
	`custom_fields` text DEFAULT '{}' NOT NULL,
	`notes` text,
	`opted_out` integer DEFAULT false NOT NULL,
	`opted_out_at` integer,
	`opted_out_reason` text,
	`on_whatsapp` text DEFAULT 'unknown' NOT NULL,
	`source` text DEFAULT 'manual' NOT NULL,
	`archived` integer DEFAULT false NOT NULL,
	`first_seen_at` integer,
	`last_seen_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Data: one new contact per person. `62812…@s.whatsapp.net` and `62812…:7@s.whatsapp.net` (a device suffix) are one
-- phone; the oldest row's id is kept. Groups and `@lid` ids keep their own row, and an `@lid` gets no phone.
CREATE TABLE `_crm_contact_map` (`old_id` text PRIMARY KEY NOT NULL, `new_id` text NOT NULL, `business_id` text NOT NULL, `phone` text, `jid` text NOT NULL);
--> statement-breakpoint
INSERT INTO `_crm_contact_map` (`old_id`, `new_id`, `business_id`, `phone`, `jid`)
SELECT `id`, `id`, `business_id`,
  CASE WHEN `jid` LIKE '%@s.whatsapp.net' THEN
    CASE WHEN instr(substr(`jid`, 1, instr(`jid`, '@') - 1), ':') > 0
      THEN substr(`jid`, 1, instr(`jid`, ':') - 1)
      ELSE substr(`jid`, 1, instr(`jid`, '@') - 1) END
  END,
  `jid`
FROM `contacts`;
--> statement-breakpoint
UPDATE `_crm_contact_map` SET `new_id` = (
  SELECT min(m2.`old_id`) FROM `_crm_contact_map` m2 WHERE m2.`business_id` = `_crm_contact_map`.`business_id` AND m2.`phone` = `_crm_contact_map`.`phone`
) WHERE `phone` IS NOT NULL;
--> statement-breakpoint
INSERT INTO `contacts_v2` (`id`, `business_id`, `name`, `phone`, `wa_jid`, `is_group`, `source`, `on_whatsapp`, `first_seen_at`, `last_seen_at`, `created_at`, `updated_at`)
SELECT m.`new_id`, m.`business_id`,
  (SELECT o.`name` FROM `contacts` o JOIN `_crm_contact_map` mm ON mm.`old_id` = o.`id` WHERE mm.`new_id` = m.`new_id` AND o.`name` IS NOT NULL ORDER BY coalesce(o.`updated_at`, o.`created_at`) DESC LIMIT 1),
  m.`phone`,
  CASE WHEN m.`phone` IS NOT NULL THEN m.`phone` || '@s.whatsapp.net' ELSE m.`jid` END,
  CASE WHEN m.`jid` LIKE '%@g.us' THEN 1 ELSE 0 END,
  'whatsapp',
  CASE WHEN m.`phone` IS NOT NULL THEN 'yes' ELSE 'unknown' END,
  (SELECT min(o.`created_at`) FROM `contacts` o JOIN `_crm_contact_map` mm ON mm.`old_id` = o.`id` WHERE mm.`new_id` = m.`new_id`),
  (SELECT max(coalesce(o.`updated_at`, o.`created_at`)) FROM `contacts` o JOIN `_crm_contact_map` mm ON mm.`old_id` = o.`id` WHERE mm.`new_id` = m.`new_id`),
  (SELECT min(o.`created_at`) FROM `contacts` o JOIN `_crm_contact_map` mm ON mm.`old_id` = o.`id` WHERE mm.`new_id` = m.`new_id`),
  (SELECT max(coalesce(o.`updated_at`, o.`created_at`)) FROM `contacts` o JOIN `_crm_contact_map` mm ON mm.`old_id` = o.`id` WHERE mm.`new_id` = m.`new_id`)
FROM `_crm_contact_map` m WHERE m.`old_id` = m.`new_id`;
--> statement-breakpoint
-- Data: a WhatsApp channel for every device, and for devices already deleted that still have conversations.
INSERT INTO `channels` (`id`, `business_id`, `kind`, `device_key`, `name`, `created_at`)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))), `business_id`, 'whatsapp', `device_key`, `name`, `created_at` FROM `devices`;
--> statement-breakpoint
INSERT INTO `channels` (`id`, `business_id`, `kind`, `device_key`, `name`)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))), c.`business_id`, 'whatsapp', c.`device_key`, 'WhatsApp ' || substr(c.`device_key`, 1, 8)
FROM (SELECT DISTINCT `business_id`, `device_key` FROM `conversations` WHERE `device_key` NOT IN (SELECT `device_key` FROM `channels` WHERE `device_key` IS NOT NULL)) c;
--> statement-breakpoint
-- Data: conversations of merged contacts on the same channel become one (the oldest id); messages follow.
CREATE TABLE `_crm_conversation_map` (`old_id` text PRIMARY KEY NOT NULL, `new_id` text NOT NULL, `business_id` text NOT NULL, `channel_id` text NOT NULL, `contact_id` text NOT NULL);
--> statement-breakpoint
INSERT INTO `_crm_conversation_map` (`old_id`, `new_id`, `business_id`, `channel_id`, `contact_id`)
SELECT v.`id`, v.`id`, v.`business_id`, ch.`id`, m.`new_id`
FROM `conversations` v
JOIN `channels` ch ON ch.`device_key` = v.`device_key`
JOIN `_crm_contact_map` m ON m.`old_id` = v.`contact_id`;
--> statement-breakpoint
UPDATE `_crm_conversation_map` SET `new_id` = (
  SELECT min(m2.`old_id`) FROM `_crm_conversation_map` m2
  WHERE m2.`business_id` = `_crm_conversation_map`.`business_id` AND m2.`channel_id` = `_crm_conversation_map`.`channel_id` AND m2.`contact_id` = `_crm_conversation_map`.`contact_id`
);
--> statement-breakpoint
CREATE TABLE `conversations_v2` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`device_key` text,
	`contact_id` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`snooze_until` integer,
	`assignee_id` text,
	`priority` text DEFAULT 'none' NOT NULL,
	`unread_count` integer DEFAULT 0 NOT NULL,
	`last_message_at` integer NOT NULL,
	`last_message_text` text,
	`last_message_direction` text,
	`last_inbound_at` integer,
	`bot_state` text DEFAULT 'active' NOT NULL,
	`bot_silenced_until` integer,
	`bot_state_reason` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts_v2`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `conversations_v2` (`id`, `business_id`, `channel_id`, `device_key`, `contact_id`, `unread_count`, `last_message_at`, `last_inbound_at`, `created_at`, `updated_at`)
SELECT m.`new_id`, m.`business_id`, m.`channel_id`, ch.`device_key`, m.`contact_id`,
  (SELECT sum(v.`unread_count`) FROM `conversations` v JOIN `_crm_conversation_map` mm ON mm.`old_id` = v.`id` WHERE mm.`new_id` = m.`new_id`),
  (SELECT max(v.`last_message_at`) FROM `conversations` v JOIN `_crm_conversation_map` mm ON mm.`old_id` = v.`id` WHERE mm.`new_id` = m.`new_id`),
  (SELECT max(v.`last_inbound_at`) FROM `conversations` v JOIN `_crm_conversation_map` mm ON mm.`old_id` = v.`id` WHERE mm.`new_id` = m.`new_id`),
  (SELECT min(v.`created_at`) FROM `conversations` v JOIN `_crm_conversation_map` mm ON mm.`old_id` = v.`id` WHERE mm.`new_id` = m.`new_id`),
  (SELECT max(v.`last_message_at`) FROM `conversations` v JOIN `_crm_conversation_map` mm ON mm.`old_id` = v.`id` WHERE mm.`new_id` = m.`new_id`)
FROM `_crm_conversation_map` m JOIN `channels` ch ON ch.`id` = m.`channel_id`
WHERE m.`old_id` = m.`new_id`;
--> statement-breakpoint
UPDATE `messages` SET `conversation_id` = (SELECT m.`new_id` FROM `_crm_conversation_map` m WHERE m.`old_id` = `messages`.`conversation_id`)
WHERE `conversation_id` IN (SELECT `old_id` FROM `_crm_conversation_map` WHERE `old_id` <> `new_id`);
--> statement-breakpoint
-- The inbox list shows the last message: fill it from the messages already stored.
UPDATE `conversations_v2` SET
  `last_message_text` = (SELECT coalesce(g.`text`, '') FROM `messages` g WHERE g.`conversation_id` = `conversations_v2`.`id` ORDER BY g.`created_at` DESC LIMIT 1),
  `last_message_direction` = (SELECT g.`direction` FROM `messages` g WHERE g.`conversation_id` = `conversations_v2`.`id` ORDER BY g.`created_at` DESC LIMIT 1);
--> statement-breakpoint
DROP TABLE `conversations`;
--> statement-breakpoint
DROP TABLE `contacts`;
--> statement-breakpoint
ALTER TABLE `contacts_v2` RENAME TO `contacts`;
--> statement-breakpoint
ALTER TABLE `conversations_v2` RENAME TO `conversations`;
--> statement-breakpoint
DROP TABLE `_crm_conversation_map`;
--> statement-breakpoint
DROP TABLE `_crm_contact_map`;
--> statement-breakpoint
CREATE TABLE `contact_labels` (
	`contact_id` text NOT NULL,
	`label_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`contact_id`, `label_id`),
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`label_id`) REFERENCES `labels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `contact_labels_label_idx` ON `contact_labels` (`label_id`,`contact_id`);
--> statement-breakpoint
CREATE TABLE `conversation_labels` (
	`conversation_id` text NOT NULL,
	`label_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`conversation_id`, `label_id`),
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`label_id`) REFERENCES `labels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `conversation_labels_label_idx` ON `conversation_labels` (`label_id`,`conversation_id`);
--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`source` text NOT NULL,
	`external_id` text NOT NULL,
	`event` text,
	`status` text,
	`payment_status` text,
	`amount` integer,
	`items` text DEFAULT '[]' NOT NULL,
	`event_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_external_unique` ON `orders` (`business_id`,`source`,`external_id`);
--> statement-breakpoint
CREATE INDEX `orders_contact_idx` ON `orders` (`contact_id`,`event_at`);
--> statement-breakpoint
CREATE TABLE `contact_conflicts` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`other_contact_id` text NOT NULL,
	`phone` text NOT NULL,
	`email` text NOT NULL,
	`source` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`other_contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contact_conflicts_pair_unique` ON `contact_conflicts` (`business_id`,`contact_id`,`other_contact_id`);
--> statement-breakpoint
CREATE INDEX `contact_conflicts_business_idx` ON `contact_conflicts` (`business_id`,`created_at`);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_phone_unique` ON `contacts` (`business_id`,`phone`);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_wa_jid_unique` ON `contacts` (`business_id`,`wa_jid`);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_visitor_unique` ON `contacts` (`business_id`,`web_visitor_id`);
--> statement-breakpoint
CREATE INDEX `contacts_email_idx` ON `contacts` (`business_id`,`email`);
--> statement-breakpoint
CREATE INDEX `contacts_recent_idx` ON `contacts` (`business_id`,`updated_at`);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_channel_contact_unique` ON `conversations` (`business_id`,`channel_id`,`contact_id`);
--> statement-breakpoint
CREATE INDEX `conversations_recent_idx` ON `conversations` (`business_id`,`last_message_at`);
--> statement-breakpoint
CREATE INDEX `conversations_status_idx` ON `conversations` (`business_id`,`status`,`last_message_at`);
--> statement-breakpoint
CREATE INDEX `conversations_assignee_idx` ON `conversations` (`business_id`,`assignee_id`,`last_message_at`);
--> statement-breakpoint
CREATE INDEX `conversations_contact_idx` ON `conversations` (`contact_id`);
--> statement-breakpoint
-- Search: a trigram index over name, email and phone (substring match, so 4+ digits anywhere in the number).
-- External content: the text lives only in contacts; triggers keep the index in step.
CREATE VIRTUAL TABLE `contacts_fts` USING fts5(`name`, `email`, `phone`, content='contacts', tokenize='trigram');
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_insert` AFTER INSERT ON `contacts` BEGIN
  INSERT INTO `contacts_fts` (`rowid`, `name`, `email`, `phone`) VALUES (new.`rowid`, new.`name`, new.`email`, new.`phone`);
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_delete` AFTER DELETE ON `contacts` BEGIN
  INSERT INTO `contacts_fts` (`contacts_fts`, `rowid`, `name`, `email`, `phone`) VALUES ('delete', old.`rowid`, old.`name`, old.`email`, old.`phone`);
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_update` AFTER UPDATE OF `name`, `email`, `phone` ON `contacts` BEGIN
  INSERT INTO `contacts_fts` (`contacts_fts`, `rowid`, `name`, `email`, `phone`) VALUES ('delete', old.`rowid`, old.`name`, old.`email`, old.`phone`);
  INSERT INTO `contacts_fts` (`rowid`, `name`, `email`, `phone`) VALUES (new.`rowid`, new.`name`, new.`email`, new.`phone`);
END;
--> statement-breakpoint
INSERT INTO `contacts_fts` (`contacts_fts`) VALUES ('rebuild');

--> statement-breakpoint
CREATE INDEX `messages_to_idx` ON `messages` (`business_id`,`to_jid`,`created_at`);
