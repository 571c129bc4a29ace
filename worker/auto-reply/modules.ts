// The auto-reply modules, registered with the inbound hand-off (worker/inbound/auto-reply.ts) when imported.
import "./keyword";
import "../ai/agent";
