PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_inbound_effects` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`device_key` text,
	`message_id` text NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_at` integer NOT NULL,
	`done_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_inbound_effects`("id", "business_id", "device_key", "message_id", "kind", "payload", "attempts", "next_at", "done_at", "created_at") SELECT "id", "business_id", "device_key", "message_id", "kind", "payload", "attempts", "next_at", "done_at", "created_at" FROM `inbound_effects`;--> statement-breakpoint
DROP TABLE `inbound_effects`;--> statement-breakpoint
ALTER TABLE `__new_inbound_effects` RENAME TO `inbound_effects`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `inbound_effects_due_idx` ON `inbound_effects` (`done_at`,`next_at`);--> statement-breakpoint
CREATE INDEX `inbound_effects_business_idx` ON `inbound_effects` (`business_id`,`created_at`);