// A device's session in a movable form: every store row of the device, sealed with AES-256-GCM under a
// transfer key and bound to the device key. Used by cli/session-transfer.ts when a device changes gateway.
import { z } from "zod";
import { StoreCipher } from "./cipher";
import type { ExportedRow, SessionStore } from "./session-store";

const Rows = z.array(z.object({ ns: z.string(), id: z.string(), value: z.string(), updated_at: z.number().int() }));

export function exportSession(store: SessionStore, deviceKey: string, transferKey: string): string {
  const rows = store.exportDevice(deviceKey);
  if (!rows.some((r) => r.ns === "creds")) throw new Error(`no session stored for device ${deviceKey}`);
  return Buffer.from(new StoreCipher(transferKey).seal(JSON.stringify(rows), `ping-session:${deviceKey}`)).toString("base64");
}

export function importSession(store: SessionStore, deviceKey: string, sealed: string, transferKey: string): number {
  const rows: ExportedRow[] = Rows.parse(JSON.parse(new StoreCipher(transferKey).open(Buffer.from(sealed.trim(), "base64"), `ping-session:${deviceKey}`)));
  store.importDevice(deviceKey, rows);
  return rows.length;
}
