// What the send path learns about a contact's number: WhatsApp said it is not on WhatsApp (protocol v2 fail code
// `not_on_whatsapp`). Cached on the contact so broadcasts and campaigns skip it instead of sending again.
import type { Db } from "./client";
import { contacts } from "./schema";
import { and, eq } from "drizzle-orm";

/** `to` is a JID (`62812…@s.whatsapp.net`) or bare digits; groups and @lid ids are not phone numbers. */
export async function markNotOnWhatsapp(db: Db, businessId: string, to: string): Promise<void> {
  const [digits, server] = to.split("@");
  if (!digits || (server && server !== "s.whatsapp.net")) return;
  await db
    .update(contacts)
    .set({ onWhatsapp: "no", updatedAt: Date.now() })
    .where(and(eq(contacts.businessId, businessId), eq(contacts.phone, digits)))
    .run();
}
