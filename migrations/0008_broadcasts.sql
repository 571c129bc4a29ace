CREATE TABLE `broadcast_recipients` (
	`broadcast_id` text NOT NULL,
	`seq` integer NOT NULL,
	`contact_id` text NOT NULL,
	`phone` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`skip_reason` text,
	`text` text,
	`message_id` text,
	PRIMARY KEY(`broadcast_id`, `seq`),
	FOREIGN KEY (`broadcast_id`) REFERENCES `broadcasts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `broadcast_recipients_status_idx` ON `broadcast_recipients` (`broadcast_id`,`status`,`seq`);--> statement-breakpoint
CREATE TABLE `broadcast_settings` (
	`business_id` text PRIMARY KEY NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `broadcasts` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`name` text NOT NULL,
	`device_key` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`status_reason` text,
	`message` text NOT NULL,
	`audience` text NOT NULL,
	`schedule` text DEFAULT '{}' NOT NULL,
	`label_ids` text DEFAULT '[]' NOT NULL,
	`total` integer DEFAULT 0 NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `broadcasts_business_idx` ON `broadcasts` (`business_id`,`created_at`);