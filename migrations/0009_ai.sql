CREATE TABLE `ai_settings` (
	`business_id` text PRIMARY KEY NOT NULL,
	`channel_ids` text DEFAULT '[]' NOT NULL,
	`persona` text DEFAULT '' NOT NULL,
	`instructions` text DEFAULT '' NOT NULL,
	`model` text DEFAULT 'gpt-4o-mini' NOT NULL,
	`temperature` real DEFAULT 0.3 NOT NULL,
	`max_reply_chars` integer DEFAULT 1000 NOT NULL,
	`base_url` text DEFAULT 'https://api.openai.com/v1' NOT NULL,
	`api_key_enc` text,
	`hours_mode` text DEFAULT 'always' NOT NULL,
	`hours_start` integer DEFAULT 480 NOT NULL,
	`hours_end` integer DEFAULT 1020 NOT NULL,
	`debounce_ms` integer DEFAULT 5000 NOT NULL,
	`max_wait_ms` integer DEFAULT 20000 NOT NULL,
	`groups_enabled` integer DEFAULT false NOT NULL,
	`handoff_keywords` text DEFAULT '["admin","cs","manusia","orang"]' NOT NULL,
	`handoff_minutes` integer DEFAULT 240 NOT NULL,
	`human_silence_minutes` integer DEFAULT 30 NOT NULL,
	`fallback_text` text DEFAULT 'Mohon maaf, kami belum bisa menjawab sekarang. Tim kami akan segera membalas.' NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `auto_replies` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`channel_id` text,
	`match_type` text NOT NULL,
	`pattern` text NOT NULL,
	`reply_text` text,
	`template_id` text,
	`active` integer DEFAULT true NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`cooldown_seconds` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`template_id`) REFERENCES `templates`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `auto_replies_business_idx` ON `auto_replies` (`business_id`,`priority`);--> statement-breakpoint
CREATE TABLE `auto_reply_hits` (
	`rule_id` text NOT NULL,
	`chat_jid` text NOT NULL,
	`at` integer NOT NULL,
	`message_id` text NOT NULL,
	PRIMARY KEY(`rule_id`, `chat_jid`),
	FOREIGN KEY (`rule_id`) REFERENCES `auto_replies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `knowledge_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`price` integer,
	`link` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `knowledge_business_idx` ON `knowledge_entries` (`business_id`,`created_at`);
--> statement-breakpoint
-- Hand-written (drizzle cannot express FTS5): the knowledge index the AI agent selects entries with (BM25).
-- External content: the text lives only in knowledge_entries; triggers keep the index in step. unicode61 with
-- remove_diacritics folds accents so "kopi" finds "kopí".
CREATE VIRTUAL TABLE `knowledge_fts` USING fts5(`title`, `body`, content='knowledge_entries', tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `knowledge_fts_insert` AFTER INSERT ON `knowledge_entries` BEGIN
  INSERT INTO `knowledge_fts` (`rowid`, `title`, `body`) VALUES (new.`rowid`, new.`title`, new.`body`);
END;
--> statement-breakpoint
CREATE TRIGGER `knowledge_fts_delete` AFTER DELETE ON `knowledge_entries` BEGIN
  INSERT INTO `knowledge_fts` (`knowledge_fts`, `rowid`, `title`, `body`) VALUES ('delete', old.`rowid`, old.`title`, old.`body`);
END;
--> statement-breakpoint
CREATE TRIGGER `knowledge_fts_update` AFTER UPDATE OF `title`, `body` ON `knowledge_entries` BEGIN
  INSERT INTO `knowledge_fts` (`knowledge_fts`, `rowid`, `title`, `body`) VALUES ('delete', old.`rowid`, old.`title`, old.`body`);
  INSERT INTO `knowledge_fts` (`rowid`, `title`, `body`) VALUES (new.`rowid`, new.`title`, new.`body`);
END;
