import { describe, expect, it } from "vitest";
import { compileTemplate, renderEventTemplate } from "../../worker/webhooks/templates/render";
import { call, signup } from "./helpers";

function render(template: string, payload: unknown, ctx: { timeZone: string; locale: "id" | "en" } = { timeZone: "Asia/Jakarta", locale: "id" }) {
  const c = compileTemplate(template);
  if (!c.ok) throw new Error(c.issues.map((i) => i.message).join("; "));
  return renderEventTemplate(c.value, payload, ctx);
}

describe("template filters", () => {
  it("rupiah, number, default, upper, lower, trim", () => {
    const p = { total: "149724.00", big: 1234567.5, neg: -2500, name: "  Sari Dewi  ", empty: "" };
    expect(render("{{total | rupiah}} {{neg | rupiah}} {{big | number}}", p).text).toBe("Rp149.724 -Rp2.500 1.234.567,5");
    expect(render('{{missing | default:"-"}} {{empty | default:"kosong"}} {{name | trim | upper}} {{name | trim | lower}}', p).text).toBe("- kosong SARI DEWI sari dewi");
    expect(render("{{name | rupiah}}", p).notes[0]).toContain("is not a number");
  });

  it("date in the business's time zone and language", () => {
    const scalev = { timestamp: "2025-01-29T20:28:25.046183Z", lynk: "2025-04-10T14:30:45", epoch: 1735689600 };
    expect(render('{{timestamp | date:"DD MMM YYYY HH:mm"}}', scalev).text).toBe("30 Jan 2025 03:28");
    expect(render('{{timestamp | date:"dddd, D MMMM YYYY"}}', scalev).text).toBe("Kamis, 30 Januari 2025");
    expect(render('{{timestamp | date:"dddd, D MMMM YYYY"}}', scalev, { timeZone: "Asia/Jakarta", locale: "en" }).text).toBe("Thursday, 30 January 2025");
    expect(render('{{timestamp | date:"HH:mm"}}', scalev, { timeZone: "Asia/Makassar", locale: "id" }).text).toBe("04:28");
    expect(render('{{lynk | date:"DD/MM/YYYY [pukul] HH.mm"}}', scalev).text).toBe("10/04/2025 pukul 14.30");
    expect(render("{{epoch | date}}", scalev).text).toBe("01 Jan 2025");
    const bad = render("{{x | date}}", { x: "kemarin" });
    expect(bad.text).toBe("kemarin");
    expect(bad.notes[0]).toContain("is not a date");
  });

  it("objects render as JSON; missing paths are listed; arrays by index", () => {
    const r = render("{{items.0.title}} {{items.1.title}} {{meta}}", { items: [{ title: "Kaos" }], meta: { a: 1 } });
    expect(r.text).toBe("Kaos  {\"a\":1}");
    expect(r.missing).toEqual(["items.1.title"]);
  });

  it("quoted filter arguments may contain | and spaces", () => {
    expect(render('{{x | default:"a | b"}}', {}).text).toBe("a | b");
  });
});

describe("OpenAPI", () => {
  it("documents the webhook rules and logs endpoints", async () => {
    const t = await signup();
    const doc = await call("/api/v1/openapi.json", { cookie: t.cookie });
    expect(doc.status).toBe(200);
    for (const p of ["/webhook-rules", "/webhook-rules/test", "/webhook-rules/{id}", "/webhook-logs", "/webhook-logs/{id}"]) {
      expect(Object.keys(doc.body.paths)).toContain(p);
    }
  });
});
