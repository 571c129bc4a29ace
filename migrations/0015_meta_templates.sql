CREATE TABLE `meta_templates` (
	`business_id` text NOT NULL,
	`device_key` text NOT NULL,
	`name` text NOT NULL,
	`language` text NOT NULL,
	`meta_id` text,
	`status` text NOT NULL,
	`category` text,
	`components` text NOT NULL,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`business_id`, `device_key`, `name`, `language`),
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
