ALTER TABLE `webhook_logs` ADD `customer` text;--> statement-breakpoint
ALTER TABLE `webhook_logs` ADD `customer_due_at` integer;--> statement-breakpoint
CREATE INDEX `webhook_logs_customer_due_idx` ON `webhook_logs` (`customer_due_at`) WHERE customer_due_at IS NOT NULL;