CREATE TABLE `webhook_events` (
	`business_id` text NOT NULL,
	`event_key` text NOT NULL,
	`log_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`business_id`, `event_key`),
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_events_created_idx` ON `webhook_events` (`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_logs` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`source` text NOT NULL,
	`status` text NOT NULL,
	`event_key` text,
	`rule_names` text DEFAULT '[]' NOT NULL,
	`message` text NOT NULL,
	`payload` text NOT NULL,
	`payload_truncated` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_logs_business_idx` ON `webhook_logs` (`business_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `webhook_logs_status_idx` ON `webhook_logs` (`business_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `webhook_logs_created_idx` ON `webhook_logs` (`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`name` text NOT NULL,
	`source` text NOT NULL,
	`conditions` text NOT NULL,
	`template` text NOT NULL,
	`phone_field` text NOT NULL,
	`device_key` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`priority` integer DEFAULT 100 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_rules_business_idx` ON `webhook_rules` (`business_id`,`active`,`priority`,`created_at`);