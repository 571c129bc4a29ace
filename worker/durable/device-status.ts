// The DeviceSession's live view for the dashboard and `GET /api/v1/devices/:device_key/live`.
import { SessionStatus } from "../../protocol/gateway-protocol";
import type { Holder } from "./device-gateway-link";
import type { DeviceMeta } from "./device-meta";

export type LiveStatus = {
  status: SessionStatus | null;
  qr: string | null;
  pairing_code: string | null;
  gateway_connected: boolean;
  gateway_id: string | null;
  /** The protocol version the connected gateway speaks (1 or 2), null without one. */
  gateway_protocol: number | null;
  outbox: { pending: number; leased: number };
};

export function liveStatusOf(meta: DeviceMeta, holder: Holder | null, outbox: { pending: number; leased: number }): LiveStatus {
  const status = SessionStatus.safeParse(meta.get("status"));
  return {
    status: status.success ? status.data : null,
    qr: meta.get("qr"),
    pairing_code: meta.get("pairing_code"),
    gateway_connected: holder !== null,
    gateway_id: holder ? holder.state.gateway_id : null,
    gateway_protocol: holder ? (holder.state.v ?? 1) : null,
    outbox,
  };
}
