CREATE TABLE `billing_reminders` (
	`business_id` text NOT NULL,
	`period_end` integer NOT NULL,
	`days_before` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`business_id`, `period_end`, `days_before`),
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `commissions` (
	`id` text PRIMARY KEY NOT NULL,
	`referrer_id` text NOT NULL,
	`referred_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`kind` text DEFAULT 'commission' NOT NULL,
	`invoice_amount` integer NOT NULL,
	`percent` integer NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`available_at` integer NOT NULL,
	`payout_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`referrer_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `commissions_invoice_unique` ON `commissions` (`invoice_id`,`kind`);--> statement-breakpoint
CREATE INDEX `commissions_referrer_idx` ON `commissions` (`referrer_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `commissions_due_idx` ON `commissions` (`status`,`available_at`);--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`business_id` text NOT NULL,
	`kind` text NOT NULL,
	`package_id` text NOT NULL,
	`months` integer NOT NULL,
	`price` integer NOT NULL,
	`credit` integer DEFAULT 0 NOT NULL,
	`amount` integer NOT NULL,
	`currency` text DEFAULT 'IDR' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`provider` text NOT NULL,
	`provider_invoice_id` text,
	`invoice_url` text,
	`reference` text,
	`period_start` integer,
	`period_end` integer,
	`paid_at` integer,
	`payment_method` text,
	`refunded_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_number_unique` ON `invoices` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_provider_unique` ON `invoices` (`provider`,`provider_invoice_id`);--> statement-breakpoint
CREATE INDEX `invoices_business_idx` ON `invoices` (`business_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `packages` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`price_monthly` integer NOT NULL,
	`price_yearly` integer NOT NULL,
	`devices` integer,
	`agents` integer,
	`messages_per_day` integer,
	`broadcast_recipients_per_month` integer,
	`ai_tokens_per_day` integer,
	`live_chat` integer DEFAULT false NOT NULL,
	`purchasable` integer DEFAULT true NOT NULL,
	`sort_order` integer DEFAULT 100 NOT NULL,
	`updated_at` integer
);
--> statement-breakpoint
CREATE TABLE `payment_events` (
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`invoice_id` text,
	`outcome` text NOT NULL,
	`detail` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`provider`, `event_id`)
);
--> statement-breakpoint
CREATE TABLE `payouts` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`amount` integer NOT NULL,
	`method` text NOT NULL,
	`provider` text NOT NULL,
	`account_name` text NOT NULL,
	`account_number` text NOT NULL,
	`status` text DEFAULT 'requested' NOT NULL,
	`reference` text,
	`paid_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `payouts_business_idx` ON `payouts` (`business_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `payouts_status_idx` ON `payouts` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `usage_counters` (
	`business_id` text NOT NULL,
	`metric` text NOT NULL,
	`period` text NOT NULL,
	`amount` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`business_id`, `metric`, `period`),
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `businesses` ADD `owner_phone` text;--> statement-breakpoint
ALTER TABLE `businesses` ADD `referral_code` text;--> statement-breakpoint
ALTER TABLE `businesses` ADD `referred_by` text;--> statement-breakpoint
CREATE UNIQUE INDEX `businesses_referral_code_unique` ON `businesses` (`referral_code`);--> statement-breakpoint
CREATE INDEX `businesses_referred_by_idx` ON `businesses` (`referred_by`,`created_at`);--> statement-breakpoint
-- Data: every existing business gets its referral code (8 characters, upper-case hex).
UPDATE `businesses` SET `referral_code` = upper(hex(randomblob(4))) WHERE `referral_code` IS NULL;
--> statement-breakpoint
-- Data: the starting catalogue (prices in rupiah per month and per year; NULL = unlimited). Operators edit it
-- through /internal/packages. `trial` is what a new business starts on and is not for sale.
INSERT INTO `packages` (`id`, `name`, `price_monthly`, `price_yearly`, `devices`, `agents`, `messages_per_day`, `broadcast_recipients_per_month`, `ai_tokens_per_day`, `live_chat`, `purchasable`, `sort_order`) VALUES
  ('trial', 'Trial', 0, 0, 3, 5, 1000, 1000, 50000, 1, 0, 0),
  ('basic', 'Basic', 99000, 990000, 2, 3, 2000, 10000, 50000, 0, 1, 10),
  ('pro', 'Pro', 249000, 2490000, 5, 10, 10000, 50000, 200000, 1, 1, 20),
  ('bisnis', 'Bisnis', 599000, 5990000, 20, 50, 50000, 250000, 1000000, 1, 1, 30);
--> statement-breakpoint
-- Outbound messages per day, counted as they are written (every path that inserts a message row), so the
-- messages_per_day limit reads one counter row instead of counting the day's messages. Days are calendar days
-- in Asia/Jakarta (UTC+7), like every usage period (worker/billing/limits.ts).
CREATE TRIGGER `messages_out_daily_usage` AFTER INSERT ON `messages` WHEN NEW.`direction` = 'out'
BEGIN
  INSERT INTO `usage_counters` (`business_id`, `metric`, `period`, `amount`)
  VALUES (NEW.`business_id`, 'messages_per_day', strftime('%Y-%m-%d', NEW.`created_at` / 1000, 'unixepoch', '+7 hours'), 1)
  ON CONFLICT (`business_id`, `metric`, `period`) DO UPDATE SET `amount` = `amount` + 1;
END;
