// The 20 rules both benchmarks use: Ping's condition JSON and templates, and the same rules as
// json-logic expressions and mustache templates for the engine comparison.
import type { Group } from "../../worker/webhooks/rules/conditions";

export type BenchRule = { name: string; conditions: Group; template: string };

const EVENTS = ["order.updated", "order.shipped", "order.cancelled", "order.deleted", "payment.refunded"];
const CITIES = ["Bandung", "Medan", "Makassar", "Denpasar"];

/** 20 rules; on the Scalev sample (order.created, unpaid, 149724) exactly rules 0 and 1 match. */
export function benchRules(): BenchRule[] {
  const tpl = (i: number) =>
    `Halo {{data.destination_address.name}}, order {{data.order_id}} (${i}) total {{data.net_revenue}}. Status: {{data.status}}, bayar: {{data.payment_status}}. Toko {{data.store.name}}`;
  const rules: BenchRule[] = [
    {
      name: "rule 0",
      conditions: { operator: "AND", rules: [{ field: "event", operator: "equals", value: "order.created" }, { field: "data.payment_status", operator: "equals", value: "unpaid" }] },
      template: tpl(0),
    },
    {
      name: "rule 1",
      conditions: {
        operator: "AND",
        rules: [
          { field: "event", operator: "equals", value: "order.created" },
          { field: "data.net_revenue", operator: "greater_than", value: 100000 },
          { operator: "OR", rules: [{ field: "data.destination_address.phone", operator: "exists" }, { field: "data.destination_address.email", operator: "exists" }] },
        ],
      },
      template: tpl(1),
    },
  ];
  for (let i = 2; i < 20; i++) {
    const event = EVENTS[i % EVENTS.length] ?? "order.updated";
    rules.push({
      name: `rule ${i}`,
      conditions:
        i % 3 === 0
          ? { operator: "AND", rules: [{ field: "event", operator: "equals", value: event }, { field: "data.total_quantity", operator: "less_than", value: 10 }] }
          : i % 3 === 1
            ? { operator: "OR", rules: [{ field: "data.destination_address.city", operator: "contains", value: CITIES[i % CITIES.length] ?? "Medan" }, { field: "data.status", operator: "equals", value: "shipped" }] }
            : {
                operator: "AND",
                rules: [
                  { field: "data.payment_status", operator: "equals", value: "paid" },
                  { field: "data.gross_revenue", operator: "greater_than", value: 500000 + i },
                ],
              },
      template: tpl(i),
    });
  }
  return rules;
}

type JsonLogic = Record<string, unknown>;

/** The same condition as a json-logic expression (== is loose in json-logic, so "149724.00" > 100000 works too). */
export function toJsonLogic(g: Group): JsonLogic {
  const parts = g.rules.map((r): JsonLogic => {
    if ("rules" in r) return toJsonLogic(r);
    const v = { var: r.field };
    switch (r.operator) {
      case "equals":
        return { "==": [v, r.value] };
      case "greater_than":
        return { ">": [v, r.value] };
      case "less_than":
        return { "<": [v, r.value] };
      case "contains":
        return { in: [r.value, v] };
      case "exists":
        return { "!!": [v] };
      default:
        throw new Error(`no json-logic form for ${r.operator}`);
    }
  });
  return { [g.operator === "AND" ? "and" : "or"]: parts };
}
