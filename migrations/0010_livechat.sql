CREATE TABLE `livechat_settings` (
	`business_id` text PRIMARY KEY NOT NULL,
	`widget_key` text NOT NULL,
	`config` text DEFAULT '{}' NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `livechat_settings_widget_key_unique` ON `livechat_settings` (`widget_key`);