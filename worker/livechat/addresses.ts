// How website-chat rows are addressed in `messages` (docs/livechat.md, "Storage"): `device_key` is NOT NULL and
// every WhatsApp path keys on it, so a web-chat row carries `web:<channel id>` (no device key has that shape),
// and `to_jid` carries `web:<visitor id>`, the chat's address the way a JID is WhatsApp's.
export const webDeviceKey = (channelId: string) => `web:${channelId}`;
export const webChatJid = (visitorId: string) => `web:${visitorId}`;
