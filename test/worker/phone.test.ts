import { describe, expect, it } from "vitest";
import { normalizePhone } from "../../worker/lib/phone";

describe("normalizePhone", () => {
  it.each([
    ["0812-3456-7890", "6281234567890"],
    ["081234567890", "6281234567890"],
    ["+62 812-3456-7890", "6281234567890"],
    ["6281234567890", "6281234567890"],
    ["628112345678", "628112345678"],
    ["0812345677889", "62812345677889"],
    ["(0812) 3456 7890", "6281234567890"],
    ["0062 812 3456 7890", "6281234567890"],
  ])("%s → %s", (input, out) => {
    expect(normalizePhone(input, "ID")).toEqual({ ok: true, digits: out });
  });

  it("uses the business's country for national numbers", () => {
    expect(normalizePhone("012-345 6789", "MY")).toEqual({ ok: true, digits: "60123456789" });
  });

  it.each([[""], ["abc"], ["12"], [null], [{}], ["0812345678901234567890123"]])("rejects %j with a reason", (input) => {
    const r = normalizePhone(input, "ID");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(3);
  });
});
