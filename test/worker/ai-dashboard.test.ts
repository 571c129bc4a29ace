// The AI and auto-reply dashboard pages render for admins (with the page CSP), are refused to staff, and the AI
// page's "try it" form endpoint answers from the model with the saved knowledge.
import { describe, expect, it } from "vitest";
import { call, member } from "./helpers";
import { env } from "cloudflare:test";
import { addFixtures, aiTenant, conversationOf, customerSays, marker, modelCalls } from "./ai-helpers";

describe("AI dashboard", () => {
  it("renders the AI page (settings, try it, usage chart, knowledge) and the auto-replies page", async () => {
    const t = await aiTenant();
    await call("/api/v1/knowledge", { cookie: t.cookie, json: { kind: "faq", title: "Jam buka toko", body: "Setiap hari 08.00–17.00 WIB" } });
    await call("/api/v1/auto-replies", { cookie: t.cookie, json: { match_type: "contains", pattern: "katalog", reply_text: "Katalog kami: toko.example.com" } });
    const ai = await call("/app/ai", { cookie: t.cookie });
    expect(ai.status).toBe(200);
    expect(ai.headers.get("content-security-policy") ?? "").toContain("nonce-");
    for (const s of ["Pengaturan AI", "Jam buka toko", "Pemakaian token AI per hari", "/api/v1/ai-settings/try", "tersimpan"]) expect(ai.text).toContain(s);
    expect(ai.text).not.toContain("sk-test-aimock");
    // Business hours and the handoff words are editable on the page; the sandbox device's chat is a "try it" chat.
    expect(ai.text).toContain('name="hours_start" type="time" data-type="minutes" value="08:00"');
    expect(ai.text).toContain('name="handoff_keywords" data-type="csv" value="admin, cs, manusia, orang"');
    expect(ai.text).toContain(`href="/app/devices/${t.deviceKey}"`);
    expect(ai.text).toContain("Ngobrol dengan AI di chat sandbox");
    // What the form sends for them (the shared form script: HH:MM → minutes, comma list → array) is accepted.
    const put = await call("/api/v1/ai-settings", { method: "PUT", cookie: t.cookie, json: { hours_start: 9 * 60, hours_end: 21 * 60 + 30, handoff_keywords: ["admin", "cs", "bos"] } });
    expect(put.status, put.text).toBe(200);
    const again = await call("/app/ai", { cookie: t.cookie });
    expect(again.text).toContain('value="21:30"');
    expect(again.text).toContain('value="admin, cs, bos"');
    const ar = await call("/app/auto-replies?lang=en", { cookie: t.cookie });
    expect(ar.status).toBe(200);
    expect(ar.text).toContain("Katalog kami: toko.example.com");
    expect(ar.text).toContain("Add auto-reply");
    const staff = await member(t, "staff");
    expect((await call("/app/ai", { cookie: staff.cookie })).status).toBe(403);
    expect((await call("/api/v1/ai-settings/try", { cookie: staff.cookie, json: { text: "x" } })).status).toBe(403);
  });

  it("try it: one synchronous turn with the saved knowledge, counted in usage", async () => {
    const t = await aiTenant();
    await call("/api/v1/knowledge", { cookie: t.cookie, json: { kind: "product", title: "Sambal Roa", body: "Sambal ikan roa khas Manado", price: 45000 } });
    const m = marker("try");
    await addFixtures({ match: { userMessage: m }, response: { content: "Sambal Roa harganya Rp45.000." } });
    const r = await call("/api/v1/ai-settings/try", { cookie: t.cookie, json: { text: `harga sambal roa? ${m}` } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ reply: "Sambal Roa harganya Rp45.000.", outcome: "answer" });
    expect((await modelCalls(m))[0]?.body.messages?.[0]?.content).toContain("Sambal Roa — Rp45.000");
    const usage = await call("/api/v1/ai-usage?days=1", { cookie: t.cookie });
    expect(usage.body.days[0].tokens).toBeGreaterThan(0);
  });

  it("the contact page shows whether the bot is handed off, why, and the take-over/give-back button", async () => {
    const t = await aiTenant({ device_keys: [] });
    const msg = await customerSays(t, "halo");
    const conv = await conversationOf(t, msg.id);
    const contact = await env.DB.prepare("SELECT contact_id AS id FROM conversations WHERE id = ?").bind(conv).first<{ id: string }>();
    const before = await call(`/app/contacts/${contact?.id}`, { cookie: t.cookie });
    expect(before.text).toContain("Ambil alih dari bot");
    await call(`/api/v1/conversations/${conv}/handoff`, { cookie: t.cookie, json: { reason: "komplain barang rusak" } });
    const after = await call(`/app/contacts/${contact?.id}`, { cookie: t.cookie });
    expect(after.status).toBe(200);
    for (const s of ["diserahkan ke manusia", "komplain barang rusak", "Kembalikan ke bot", `/api/v1/conversations/${conv}/release`]) expect(after.text).toContain(s);
  });
});
