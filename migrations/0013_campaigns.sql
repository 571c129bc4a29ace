CREATE TABLE `campaign_enrollments` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`business_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`trigger_event` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`exit_reason` text,
	`step` integer DEFAULT 0 NOT NULL,
	`next_at` integer NOT NULL,
	`replied_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `campaign_enrollments_event_unique` ON `campaign_enrollments` (`campaign_id`,`contact_id`,`trigger_event`);--> statement-breakpoint
CREATE INDEX `campaign_enrollments_due_idx` ON `campaign_enrollments` (`business_id`,`status`,`next_at`);--> statement-breakpoint
CREATE INDEX `campaign_enrollments_contact_idx` ON `campaign_enrollments` (`contact_id`,`status`);--> statement-breakpoint
CREATE INDEX `campaign_enrollments_campaign_idx` ON `campaign_enrollments` (`campaign_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`name` text NOT NULL,
	`device_key` text NOT NULL,
	`status` text DEFAULT 'inactive' NOT NULL,
	`trigger_type` text NOT NULL,
	`trigger_ref` text,
	`steps` text NOT NULL,
	`window` text DEFAULT '{}' NOT NULL,
	`exit_on_reply` integer DEFAULT true NOT NULL,
	`label_ids` text DEFAULT '[]' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `campaigns_business_idx` ON `campaigns` (`business_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `campaigns_trigger_idx` ON `campaigns` (`business_id`,`trigger_type`,`trigger_ref`);