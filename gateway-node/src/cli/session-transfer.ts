// Moves one device's WhatsApp session (credentials, Signal keys, message store, sent-job records) between
// gateways, so an admin can reassign a device without a new scan (docs/gateway.md, "Moving a device").
//
//   npm run gateway:session -- export <device_key> <file>    on the old gateway's host
//   npm run gateway:session -- import <device_key> <file>    on the new gateway's host
//
// The file is sealed with AES-256-GCM under TRANSFER_KEY (base64, 32 bytes; defaults to STORE_KEY) and bound
// to the device key. Configuration comes from the same environment as the gateway (DATA_DIR, STORE_KEY).
import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { SessionStore } from "../store/session-store";
import { exportSession, importSession } from "../store/transfer";

const Env = z.object({
  DATA_DIR: z.string().default(".data/gateway"),
  STORE_KEY: z.string().min(1),
  TRANSFER_KEY: z.string().min(1).optional(),
});

function main(): void {
  const [command, deviceKey, file] = process.argv.slice(2);
  if ((command !== "export" && command !== "import") || !deviceKey || !file) {
    console.error("usage: session-transfer export|import <device_key> <file>");
    process.exit(2);
  }
  const env = Env.parse(process.env);
  const key = env.TRANSFER_KEY ?? env.STORE_KEY;
  const store = new SessionStore(env.DATA_DIR, env.STORE_KEY);
  try {
    if (command === "export") {
      writeFileSync(file, exportSession(store, deviceKey, key), { mode: 0o600 });
      console.log(`exported the session of ${deviceKey} to ${file}`);
    } else {
      const n = importSession(store, deviceKey, readFileSync(file, "utf8"), key);
      console.log(`imported ${n} rows for ${deviceKey}; a running gateway picks the session up at its next device poll`);
    }
  } finally {
    store.close();
  }
}

main();
