// What the loader hands the chat bundle: one property on window (the only global the widget adds), so the chat
// script, loaded later, finds the shadow root and the config without a second fetch.
export type WidgetConfig = {
  color: string;
  text_color: string;
  position: "right" | "left";
  z_index: number;
  greeting: string;
  expected_reply: string;
  avatar_url: string | null;
  prechat: boolean;
  online: boolean;
  /** "Continue on WhatsApp" is offered. */
  whatsapp: boolean;
  lang: "id" | "en" | null;
  chat_url: string;
};

export type Handoff = {
  base: string;
  key: string;
  cfg: WidgetConfig;
  root: ShadowRoot;
  nonce: string;
  /** The loader's launcher badge: the chat sets it while the panel is closed. */
  badge: (n: number) => void;
  /** Set by the chat bundle once loaded: open or close the panel. */
  toggle?: (open: boolean) => void;
  opened: boolean;
};

export const GLOBAL = "__pingChatWidget";

declare global {
  interface Window {
    [GLOBAL]?: Handoff;
  }
}
