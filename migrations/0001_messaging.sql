CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`jid` text NOT NULL,
	`phone` text,
	`name` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_jid_unique` ON `contacts` (`business_id`,`jid`);--> statement-breakpoint
CREATE INDEX `contacts_business_idx` ON `contacts` (`business_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`device_key` text NOT NULL,
	`contact_id` text NOT NULL,
	`last_message_at` integer NOT NULL,
	`last_inbound_at` integer,
	`unread_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_device_contact_unique` ON `conversations` (`business_id`,`device_key`,`contact_id`);--> statement-breakpoint
CREATE INDEX `conversations_recent_idx` ON `conversations` (`business_id`,`last_message_at`);--> statement-breakpoint
CREATE TABLE `templates` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`name` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `templates_name_unique` ON `templates` (`business_id`,`name`);--> statement-breakpoint
CREATE INDEX `templates_business_idx` ON `templates` (`business_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`device_key` text NOT NULL,
	`event_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`url` text NOT NULL,
	`status_code` integer,
	`ok` integer NOT NULL,
	`error` text,
	`duration_ms` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_device_idx` ON `webhook_deliveries` (`business_id`,`device_key`,`created_at`);--> statement-breakpoint
ALTER TABLE `messages` ADD `conversation_id` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `accepted_at` integer;--> statement-breakpoint
CREATE INDEX `messages_provider_idx` ON `messages` (`device_key`,`provider_message_id`);--> statement-breakpoint
CREATE INDEX `messages_conversation_idx` ON `messages` (`conversation_id`,`created_at`);