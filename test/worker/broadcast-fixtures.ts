// Shared setup of the broadcast tests: a tenant with a sandbox device, labels, contacts with every skip reason,
// a spintax draft, and ways to drive the BroadcastRunner's alarm directly.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { broadcastRunner } from "../../worker/durable/stubs";
import { call, createDevice, signup, type Tenant } from "./helpers";

export async function label(t: Tenant, name: string): Promise<string> {
  const r = await call("/api/v1/labels", { cookie: t.cookie, json: { name } });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

export async function contact(t: Tenant, body: Record<string, unknown>, labels: string[] = []): Promise<string> {
  const r = await call("/api/v1/contacts", { cookie: t.cookie, json: body });
  expect(r.status, r.text).toBe(201);
  if (labels.length) expect((await call(`/api/v1/contacts/${r.body.id}/labels`, { cookie: t.cookie, json: { label_ids: labels } })).status).toBe(200);
  return r.body.id;
}

export type Setup = Tenant & { deviceKey: string; vip: string; pelanggan: string; blokir: string; ids: Record<string, string> };

export async function setup(): Promise<Setup> {
  const t = await signup();
  const d = await createDevice(t, "sandbox");
  const vip = await label(t, "VIP");
  const pelanggan = await label(t, "Pelanggan");
  const blokir = await label(t, "Jangan");
  const ids: Record<string, string> = {};
  ids.budi = await contact(t, { phone: "0811111111", name: "Budi" }, [vip, pelanggan]);
  ids.sari = await contact(t, { phone: "0812222222", name: "Sari" }, [vip, pelanggan]);
  ids.andi = await contact(t, { phone: "0813333333", name: "Andi" }, [vip, pelanggan]);
  ids.dewi = await contact(t, { phone: "0814444444" }, [vip, pelanggan]);
  ids.eko = await contact(t, { phone: "0815555555", name: "Eko" }, [vip]); // not in "all of" VIP+Pelanggan
  ids.fitri = await contact(t, { phone: "0816666666", name: "Fitri" }, [vip, pelanggan, blokir]); // excluded
  ids.gita = await contact(t, { phone: "0817777777", name: "Gita" }, [vip, pelanggan]); // opted out
  ids.hadi = await contact(t, { phone: "0818888888", name: "Hadi" }, [vip, pelanggan]); // not on WhatsApp
  ids.ina = await contact(t, { email: "ina@example.co.id", name: "Ina" }, [vip, pelanggan]); // no phone
  await env.DB.prepare("UPDATE contacts SET opted_out = 1, opted_out_at = 1 WHERE id = ?").bind(ids.gita).run();
  await env.DB.prepare("UPDATE contacts SET on_whatsapp = 'no' WHERE id = ?").bind(ids.hadi).run();
  return { ...t, deviceKey: d.device_key, vip, pelanggan, blokir, ids };
}

const TEXTS = ["{Halo|Hai|Selamat pagi} {name}, ada {promo|diskon} untuk Anda!"];

export async function draft(t: Setup, extra: Record<string, unknown> = {}) {
  const r = await call("/api/v1/broadcasts", {
    cookie: t.cookie,
    json: {
      name: "Promo Desember",
      device_key: t.deviceKey,
      message: { texts: TEXTS, variable_defaults: { name: "Kak" } },
      audience: { labels_all: [t.vip, t.pelanggan], exclude_labels: [t.blokir] },
      schedule: { window_start: "00:00", window_end: "00:00" },
      ...extra,
    },
  });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

/** Drives the runner's alarm until the broadcast completes (alarms are run directly, not waited for). */
export async function drive(t: Tenant, id: string, maxTurns = 50) {
  const stub = broadcastRunner(env, id);
  for (let i = 0; i < maxTurns; i++) {
    const g = await get(t, id);
    if (g.status === "completed") return g;
    const ran = await runDurableObjectAlarm(stub);
    if (!ran) await new Promise((ok) => setTimeout(ok, 50));
  }
  const g = await get(t, id);
  throw new Error(`not completed: ${JSON.stringify({ status: g.status, reason: g.status_reason, progress: g.progress })}`);
}

/** One turn of the runner now, whatever its alarm said. */
export async function tick(stub: ReturnType<typeof broadcastRunner>) {
  await runInDurableObject(stub, (_o, s) => s.storage.setAlarm(Date.now()));
  return runDurableObjectAlarm(stub);
}

export async function get(t: Tenant, id: string) {
  const r = await call(`/api/v1/broadcasts/${id}`, { cookie: t.cookie });
  expect(r.status, r.text).toBe(200);
  return r.body;
}


/** Broadcast-lane sends of a device `ageMs` ago (the health formula's and the caps' inputs): `failed` of them failed. */
export async function seedLaneSends(t: Tenant, deviceKey: string, sent: number, failed: number, ageMs = 3_600_000, error = "not on WhatsApp") {
  const at = Date.now() - ageMs;
  const stmts = [];
  for (let i = 0; i < sent + failed; i++) {
    stmts.push(
      env.DB.prepare("INSERT INTO messages (id, business_id, device_key, idempotency_key, to_jid, text, source, lane, status, error, created_at) VALUES (?, ?, ?, ?, '628111@s.whatsapp.net', 'x', 'broadcast', 'broadcast', ?, ?, ?)")
        .bind(crypto.randomUUID(), t.businessId, deviceKey, `seed:${crypto.randomUUID()}`, i < failed ? "failed" : "sent", i < failed ? error : null, at),
    );
  }
  await env.DB.batch(stmts);
}
