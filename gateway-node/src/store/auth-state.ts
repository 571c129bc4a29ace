// Baileys authentication state backed by the SessionStore, in place of useMultiFileAuthState (which Baileys
// itself calls unfit for production). Signal keys are written synchronously inside `set`, and `saveCreds`
// is called from the `creds.update` handler before anything else runs, so no key is used before it is stored.
import { BufferJSON, initAuthCreds, proto, type AuthenticationCreds, type SignalDataSet, type SignalDataTypeMap, type SignalKeyStore } from "@whiskeysockets/baileys";
import type { Namespace, SessionStore } from "./session-store";

export type StoredAuthState = {
  state: { creds: AuthenticationCreds; keys: SignalKeyStore };
  saveCreds: () => void;
  /** True when the credentials came from the store (a restart), false for a fresh, unpaired session. */
  resumed: boolean;
};

const encode = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);
const decode = <T>(text: string): T => JSON.parse(text, BufferJSON.reviver) as T;
const keyNs = (type: string): Namespace => `key:${type}`;

export function sqliteAuthState(store: SessionStore, device: string): StoredAuthState {
  const stored = store.get(device, "creds", "creds");
  const creds: AuthenticationCreds = stored ? decode<AuthenticationCreds>(stored) : initAuthCreds();
  const keys: SignalKeyStore = {
    get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const text = store.get(device, keyNs(type), id);
        if (text === null) continue;
        const value = decode<SignalDataTypeMap[T]>(text);
        // App-state keys are protobuf objects; Baileys expects the class instance back.
        out[id] = (type === "app-state-sync-key" ? proto.Message.AppStateSyncKeyData.fromObject(value as object) : value) as SignalDataTypeMap[T];
      }
      return out;
    },
    set(data: SignalDataSet) {
      const writes: { ns: Namespace; id: string; value: string | null }[] = [];
      for (const [type, entries] of Object.entries(data)) {
        for (const [id, value] of Object.entries(entries ?? {})) writes.push({ ns: keyNs(type), id, value: value == null ? null : encode(value) });
      }
      store.batch(device, writes);
    },
    clear() {
      store.wipeDevice(device);
    },
  };
  return {
    state: { creds, keys },
    saveCreds: () => store.put(device, "creds", "creds", encode(creds)),
    resumed: stored !== null,
  };
}

/** Registered credentials without a scan, for a simulator that logs them in directly (tests, benchmark). */
export function seedRegisteredCreds(store: SessionStore, device: string, meJid: string): void {
  const creds = initAuthCreds();
  creds.me = { id: meJid, name: device };
  creds.registered = true;
  store.put(device, "creds", "creds", encode(creds));
}

/** A device whose stored credentials completed pairing (so a start resumes without a scan). */
export function isRegistered(store: SessionStore, device: string): boolean {
  const stored = store.get(device, "creds", "creds");
  if (stored === null) return false;
  const creds = decode<AuthenticationCreds>(stored);
  // QR pairing leaves `account` (the signed device identity); pairing-code pairing sets `registered`.
  return creds.me !== undefined && (creds.registered || creds.account != null);
}
