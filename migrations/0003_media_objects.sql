CREATE TABLE `media_objects` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`device_key` text,
	`direction` text NOT NULL,
	`kind` text,
	`mime_type` text NOT NULL,
	`size` integer NOT NULL,
	`file_name` text,
	`source_url` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `media_objects_business_idx` ON `media_objects` (`business_id`,`created_at`);--> statement-breakpoint
-- Hand-written: sends queued before this release carry a tenant URL (`media_url`) that nothing fetches any more
-- (the Worker now fetches and checks media itself when a send is accepted). Fail them visibly instead of sending.
UPDATE `messages` SET `status` = 'failed', `error` = 'Media given by URL before the media guard: send it again', `updated_at` = (unixepoch('subsec') * 1000) WHERE `status` = 'queued' AND `direction` = 'out' AND json_extract(`content`, '$.media_url') IS NOT NULL;
