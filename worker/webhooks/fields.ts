// The fields an event is asked about, read once per event. A business's rules and templates read the same
// few paths (event, data.payment_status, data.net_revenue, …) again and again; resolving a dotted path in
// untrusted JSON is the costly part of a rule (a generic own-property walk), a comparison is not. So the
// paths of everything compiled together get one slot each in a FieldTable, and an EventFields reads a slot
// at most once per event, with its number (for greater_than, numeric equals) and its lower case (contains,
// starts_with) worked out at most once too. Same values as resolvePath/toNumber: property tests hold them to it.
import { arrayIndex, child, parsePath, type Path } from "./path";
import { toNumber } from "./rules/compare";

/**
 * Compile time: one slot per distinct path, and one per prefix of it, so `data.destination_address.city`
 * is one step from the slot of `data.destination_address`: `data` is read once per event, not once per rule.
 */
export class FieldTable {
  /** Per slot: the slot its step starts from (-1: the payload itself), the step's key and array index. */
  readonly parents: number[] = [];
  readonly keys: string[] = [];
  readonly indexes: number[] = [];
  private readonly slots = new Map<string, number>();
  /** An unread row of values (copied per event: a copy keeps the array's element kind, no transition). */
  blank: unknown[] = [];

  /** The slot of a parsed path (the same path twice gets the same slot). */
  slot(path: Path): number {
    const dotted = path.join(".");
    const known = this.slots.get(dotted);
    if (known !== undefined) return known;
    const parent = path.length > 1 ? this.slot(path.slice(0, -1)) : -1;
    const k = this.keys.length;
    const key = path[path.length - 1] ?? "";
    this.parents.push(parent);
    this.keys.push(key);
    this.indexes.push(arrayIndex(key));
    this.blank = new Array<unknown>(this.keys.length).fill(undefined);
    this.slots.set(dotted, k);
    return k;
  }

  /** The slot of a field text, or undefined when it is not a valid path. */
  slotOf(field: string): number | undefined {
    const p = parsePath(field);
    return p.ok ? this.slot(p.path) : undefined;
  }

  read(payload: unknown): EventFields {
    return new EventFields(payload, this);
  }
}

// A slot holds undefined until read (a fresh array costs next to nothing; filling one does not), so a field
// read as missing is stored as MISSING, and a text that is not a number as NaN (toNumber never returns NaN).
const MISSING: unique symbol = Symbol("missing");

/** One event's view: slots filled on first use. */
export class EventFields {
  private readonly values: unknown[];
  private numbers: (number | undefined)[] | undefined;
  private lowers: (string | undefined)[] | undefined;

  constructor(
    readonly payload: unknown,
    private readonly table: FieldTable,
  ) {
    this.values = table.blank.slice();
  }

  /** resolvePath(payload, path of slot k). */
  value(k: number): unknown {
    const v = this.values[k];
    if (v !== undefined) return v === MISSING ? undefined : v;
    const t = this.table;
    const parent = t.parents[k] ?? -1;
    const base = parent < 0 ? this.payload : this.value(parent);
    const read = child(base, t.keys[k] ?? "", t.indexes[k] ?? -1);
    this.values[k] = read === undefined ? MISSING : read;
    return read;
  }

  /** toNumber(value(k)). */
  number(k: number): number | undefined {
    const numbers = (this.numbers ??= new Array<number | undefined>(this.table.keys.length));
    const n = numbers[k];
    if (n !== undefined) return Number.isNaN(n) ? undefined : n;
    const read = toNumber(this.value(k));
    numbers[k] = read ?? Number.NaN;
    return read;
  }

  /** The lower case of value(k) when it is a text (callers check the type first), else "". */
  lower(k: number): string {
    const lowers = (this.lowers ??= new Array<string | undefined>(this.table.keys.length));
    const l = lowers[k];
    if (l !== undefined) return l;
    const v = this.value(k);
    const read = typeof v === "string" ? v.toLowerCase() : "";
    lowers[k] = read;
    return read;
  }
}
