// Property tests (fast-check) of the contact merge planner against an in-memory store: whatever the
// order and mix of sources, a phone, a JID and a visitor id belong to one contact; the three phone forms
// are one person; an @lid is never a phone; a phone/email split is always listed as a conflict.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Known, type Observation, phoneOfWaJid, planMerge } from "../../worker/crm/merge-plan";
import { normalizePhone } from "../../worker/lib/phone";

type Store = { rows: Known[]; conflicts: [string, string][]; n: number };

function applyObs(s: Store, obs: Observation): string | null {
  const plan = planMerge(obs, s.rows);
  if (plan.kind === "none") return null;
  if (plan.kind === "create") {
    const id = `c${++s.n}`;
    s.rows.push({ id, ...plan.values });
    return id;
  }
  const row = s.rows.find((r) => r.id === plan.contactId);
  if (!row) throw new Error("plan names a contact that does not exist");
  Object.assign(row, plan.set);
  if (plan.conflict) s.conflicts.push([row.id, plan.conflict.otherContactId]);
  return row.id;
}

const local = fc.integer({ min: 10_000_000, max: 10_000_050 }).map(String);
const forms = (n: string) => [`08${n}`, `+62 8${n}`, `62-8${n}`, `628${n}`, `+628${n}`];
const email = fc.constantFrom("a@x.id", "b@x.id", "c@x.id", null);
const phoneInput = fc.tuple(local, fc.integer({ min: 0, max: 4 })).map(([n, i]) => forms(n)[i] ?? `08${n}`);
const lid = fc.integer({ min: 100, max: 105 }).map((n) => `1234567890${n}@lid`);
const obs: fc.Arbitrary<Observation> = fc.oneof(
  fc.record({ p: phoneInput, name: fc.option(fc.string({ maxLength: 5 })) }).map(({ p, name }) => {
    const d = normalizePhone(p);
    if (!d.ok) throw new Error(p);
    return { waJid: `${d.digits}@s.whatsapp.net`, name, source: "whatsapp" as const, at: 1 };
  }),
  fc.record({ l: lid }).map(({ l }) => ({ waJid: l, name: "lid", source: "whatsapp" as const, at: 2 })),
  fc.record({ p: phoneInput, e: email }).map(({ p, e }) => {
    const d = normalizePhone(p);
    return { phone: d.ok ? d.digits : null, email: e, source: "scalev" as const, at: 3 };
  }),
  fc.record({ e: email }).map(({ e }) => ({ email: e, source: "lynk" as const, at: 4 })),
  fc.record({ v: fc.constantFrom("v1", "v2"), e: email }).map(({ v, e }) => ({ webVisitorId: v, email: e, name: "Web", source: "web_chat" as const, at: 5 })),
);

describe("contact merge planner", () => {
  it("keeps phone, JID and visitor id unique whatever the sources and their order", () => {
    fc.assert(
      fc.property(fc.array(obs, { maxLength: 40 }), (list) => {
        const s: Store = { rows: [], conflicts: [], n: 0 };
        for (const o of list) applyObs(s, o);
        for (const key of ["phone", "waJid", "webVisitorId"] as const) {
          const vals = s.rows.map((r) => r[key]).filter((v) => v !== null);
          expect(new Set(vals).size).toBe(vals.length);
        }
        for (const r of s.rows) {
          if (r.waJid?.endsWith("@lid")) expect(r.phone).toBeNull();
          if (r.phone) expect(r.phone).toMatch(/^628\d+$/);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("08…, +62 8… and 62-8… are one person", () => {
    fc.assert(
      fc.property(local, fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 2 }), (n, order) => {
        const s: Store = { rows: [], conflicts: [], n: 0 };
        const ids = order.map((i) => {
          const d = normalizePhone(forms(n)[i]);
          if (!d.ok) throw new Error("form");
          return applyObs(s, { phone: d.digits, source: "import", at: i });
        });
        expect(new Set(ids).size).toBe(1);
        expect(s.rows).toHaveLength(1);
      }),
    );
  });

  it("is idempotent: the same observation twice changes nothing the second time", () => {
    fc.assert(
      fc.property(fc.array(obs, { maxLength: 20 }), obs, (before, o) => {
        const s: Store = { rows: [], conflicts: [], n: 0 };
        for (const x of before) applyObs(s, x);
        applyObs(s, o);
        const snapshot = JSON.stringify(s.rows);
        const again = planMerge(o, s.rows);
        if (again.kind === "update") expect(again.set).toEqual({});
        else expect(again.kind).toBe("none");
        expect(JSON.stringify(s.rows)).toBe(snapshot);
      }),
      { numRuns: 300 },
    );
  });

  it("phone wins over email, and the split is listed as a conflict", () => {
    const s: Store = { rows: [], conflicts: [], n: 0 };
    const byEmail = applyObs(s, { email: "siti@x.id", name: "Siti (email)", source: "lynk", at: 1 });
    const byPhone = applyObs(s, { phone: "6281211112222", name: "Siti (HP)", source: "whatsapp", at: 2 });
    const got = applyObs(s, { phone: "6281211112222", email: "SITI@x.id", source: "scalev", at: 3 });
    expect(got).toBe(byPhone);
    expect(s.conflicts).toEqual([[byPhone, byEmail]]);
    // The phone contact does not take the email the other contact holds.
    expect(s.rows.find((r) => r.id === byPhone)?.email).toBeNull();
  });

  it("never reads a phone out of an @lid or a group id", () => {
    expect(phoneOfWaJid("6281234567890@lid")).toBeNull();
    expect(phoneOfWaJid("120363000000000001@g.us")).toBeNull();
    expect(phoneOfWaJid("6281234567890:12@s.whatsapp.net")).toBe("6281234567890");
    const plan = planMerge({ waJid: "6281234567890@lid", source: "whatsapp", at: 1 }, [
      { id: "x", phone: "6281234567890", email: null, waJid: "6281234567890@s.whatsapp.net", webVisitorId: null, name: null, firstSeenAt: 0, lastSeenAt: 0 },
    ]);
    expect(plan.kind).toBe("create");
  });
});
