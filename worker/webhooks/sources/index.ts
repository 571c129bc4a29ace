// The registry of webhook senders, in detection order (custom last: it takes anything).
import type { WebhookSource } from "../../db/schema";
import { custom } from "./custom";
import { lynk } from "./lynk";
import { scalev } from "./scalev";
import type { Incoming, SourceAdapter } from "./types";

export const SOURCES: readonly SourceAdapter[] = [scalev, lynk, custom];

export function sourceById(id: WebhookSource): SourceAdapter {
  return SOURCES.find((s) => s.id === id) ?? custom;
}

/** Headers first (a User-Agent or signature header is explicit), then the payload's shape, else custom. */
export function detectSource(req: Pick<Incoming, "headers" | "payload">): SourceAdapter {
  return SOURCES.find((s) => s.claims(req.headers)) ?? SOURCES.find((s) => s.looksLike(req.payload)) ?? custom;
}
