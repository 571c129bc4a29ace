CREATE TABLE `contact_import_contacts` (
	`import_id` text NOT NULL,
	`contact_id` text NOT NULL,
	PRIMARY KEY(`import_id`, `contact_id`),
	FOREIGN KEY (`import_id`) REFERENCES `contact_imports`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `packages` ADD `broadcasts_running` integer;--> statement-breakpoint
-- Data: broadcasts running at once per package (NULL = unlimited); the business's own setting
-- (broadcast_settings.max_running, default 3) may lower it further.
UPDATE `packages` SET `broadcasts_running` = CASE `id` WHEN 'trial' THEN 3 WHEN 'basic' THEN 1 WHEN 'pro' THEN 3 WHEN 'bisnis' THEN 10 ELSE 1 END;
