// Renewal reminders 7, 3 and 1 days before the end: WhatsApp from the platform's device to the owner's phone
// through the normal send pipeline, once per threshold per period however often the cron runs, and the banner.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../worker/billing/policy";
import { sendRenewalReminders } from "../../worker/billing/reminders";
import { database } from "../../worker/db/client";
import { call, createDevice, signup } from "./helpers";
import { records } from "./servers";
import { waitForStatus } from "./webhook-fixtures";

type Row = { id: string; to_jid: string; text: string; idempotency_key: string; status: string };

async function platform() {
  const op = await signup("Ping Platform");
  const device = await createDevice(op, "sandbox");
  return { op, deviceKey: device.device_key, env: { ...env, PLATFORM_DEVICE_KEY: device.device_key } };
}

async function sentBy(businessId: string, customer: string): Promise<Row[]> {
  const r = await env.DB.prepare("SELECT * FROM messages WHERE business_id = ? AND idempotency_key LIKE ? ORDER BY created_at").bind(businessId, `renewal:${customer}:%`).all<Row>();
  return r.results;
}

describe("renewal reminders", () => {
  it("send 7, 3 and 1 days before the end, once each, by WhatsApp to the owner's phone from the platform device", async () => {
    const p = await platform();
    const t = await signup("Toko Pelanggan");
    expect((await call("/api/v1/settings", { method: "PATCH", json: { owner_phone: "0812-3456-7001" }, cookie: t.cookie })).body.owner_phone).toBe("6281234567001");
    const end = Date.now() + 6.5 * DAY_MS;
    await env.DB.prepare("UPDATE businesses SET active_until = ? WHERE id = ?").bind(end, t.businessId).run();
    const db = database(env.DB);

    const now = Date.now();
    await sendRenewalReminders(p.env, db, now);
    await sendRenewalReminders(p.env, db, now + 60_000); // the next cron minute
    await Promise.all([sendRenewalReminders(p.env, db, now + 120_000), sendRenewalReminders(p.env, db, now + 120_000)]); // overlapping runs
    let rows = await sentBy(p.op.businessId, t.businessId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ to_jid: "6281234567001@s.whatsapp.net", idempotency_key: `renewal:${t.businessId}:${end}:7` });
    expect(rows[0]?.text).toContain("7 hari");
    // Through the normal pipeline: the sandbox device sends it.
    expect(await waitForStatus(rows[0]?.id ?? "", "delivered")).toMatch(/sent|delivered/);

    // Dashboard banner from the same rule.
    expect((await call("/api/v1/billing", { cookie: t.cookie })).body.renewal_reminder_days).toBe(7);
    expect((await call("/app", { cookie: t.cookie })).text).toContain("berakhir dalam 7 hari");

    await sendRenewalReminders(p.env, db, end - 2.5 * DAY_MS);
    await sendRenewalReminders(p.env, db, end - 2.4 * DAY_MS);
    await sendRenewalReminders(p.env, db, end - 0.5 * DAY_MS);
    await sendRenewalReminders(p.env, db, end - 0.4 * DAY_MS);
    rows = await sentBy(p.op.businessId, t.businessId);
    expect(rows.map((r) => r.idempotency_key.split(":").pop())).toEqual(["7", "3", "1"]);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM billing_reminders WHERE business_id = ?").bind(t.businessId).first<{ n: number }>()).toEqual({ n: 3 });
    // And one email per threshold to the owner, through the mailer.
    const mails = await records<{ subject: string }>(`mail:${t.email.toLowerCase()}`);
    expect(mails.map((m) => m.subject).filter((s) => s.startsWith("Paket Ping"))).toEqual([
      "Paket Ping Anda berakhir dalam 7 hari",
      "Paket Ping Anda berakhir dalam 3 hari",
      "Paket Ping Anda berakhir dalam 1 hari",
    ]);

    // A renewal is a new period: its reminders start again.
    const next = end + 30 * DAY_MS;
    await env.DB.prepare("UPDATE businesses SET active_until = ? WHERE id = ?").bind(next, t.businessId).run();
    await sendRenewalReminders(p.env, db, next - 6 * DAY_MS);
    expect((await sentBy(p.op.businessId, t.businessId)).map((r) => r.idempotency_key)).toContain(`renewal:${t.businessId}:${next}:7`);
  });

  it("without an owner phone (or a platform device) the reminder is only in the dashboard", async () => {
    const p = await platform();
    const t = await signup("Toko Tanpa Nomor");
    const end = Date.now() + 2 * DAY_MS;
    await env.DB.prepare("UPDATE businesses SET active_until = ? WHERE id = ?").bind(end, t.businessId).run();
    await sendRenewalReminders(p.env, database(env.DB), Date.now());
    expect(await sentBy(p.op.businessId, t.businessId)).toHaveLength(0);
    expect((await call("/api/v1/billing", { cookie: t.cookie })).body.renewal_reminder_days).toBe(3);

    const u = await signup("Toko Tanpa Platform");
    await call("/api/v1/settings", { method: "PATCH", json: { owner_phone: "081234567002" }, cookie: u.cookie });
    await env.DB.prepare("UPDATE businesses SET active_until = ? WHERE id = ?").bind(end, u.businessId).run();
    await sendRenewalReminders({ ...env, PLATFORM_DEVICE_KEY: "" }, database(env.DB), Date.now());
    const any = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE idempotency_key LIKE ?").bind(`renewal:${u.businessId}:%`).first<{ n: number }>();
    expect(any?.n).toBe(0);
  });

  it("rejects an owner phone that is not a phone number", async () => {
    const t = await signup();
    const r = await call("/api/v1/settings", { method: "PATCH", json: { owner_phone: "bukan nomor" }, cookie: t.cookie });
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe("INVALID_PHONE");
  });
});
