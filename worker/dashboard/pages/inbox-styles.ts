// The inbox page's own styles (on top of the dashboard's STYLES): three columns on a wide screen (list, thread,
// contact panel), one on a phone where the list and the open thread take turns.
export const INBOX_STYLES = `
.inbox-cols{grid-template-columns:minmax(220px,300px) minmax(0,1fr)}.inbox input[type=checkbox]{min-width:0}
.inbox-filter select,.inbox-filter input,.controls select,.controls input{min-width:0;max-width:100%}
#inbox-main{display:grid;grid-template-columns:minmax(0,1fr) 240px;gap:16px;align-items:start;min-width:0}
.thread{min-width:0}.thread header h2{margin:0}.thread .back{display:none}
.controls{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:center;margin:10px 0;font-size:14px}
.controls select,.controls input{font-size:14px;max-width:100%}.controls fieldset{border:1px solid #e1e6e3;border-radius:8px;padding:2px 8px;margin:0}
.controls fieldset label{margin-right:8px;white-space:nowrap}.snooze{display:inline-flex;flex-wrap:wrap;gap:6px;align-items:center}
.reply{position:relative;display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start;margin-top:10px}
.reply textarea{flex:1;min-width:0;font-size:16px;min-height:60px}.reply .hint{flex-basis:100%}.reply .out{flex-basis:100%}
.suggest{position:absolute;bottom:100%;left:0;right:0;max-height:220px;overflow:auto;background:#fff;border:1px solid #cdd6d1;border-radius:8px;margin:0 0 4px;padding:4px 0;list-style:none;box-shadow:0 4px 16px rgba(0,0,0,.12);z-index:5}
.suggest li{padding:6px 10px;cursor:pointer;font-size:14px}.suggest li[aria-selected=true]{background:#e3f5ec}.suggest li b{margin-right:6px}
.contact-panel h3{margin-top:0}.bubble.order{max-width:100%;margin-bottom:6px;background:#fff4e5}
.notify-toggle{display:flex;gap:6px;align-items:center;white-space:nowrap}
#inbox-toasts{position:fixed;right:16px;bottom:16px;display:flex;flex-direction:column;gap:8px;z-index:20;max-width:min(360px,calc(100vw - 32px))}
#inbox-toasts .toast{background:#0f3d2e;color:#fff;padding:10px 14px;border-radius:8px;cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.2)}
.conv-list li[data-unread]:not([data-unread="0"]) strong{font-weight:800}
dialog#inbox-help{border:1px solid #e1e6e3;border-radius:10px;max-width:calc(100vw - 32px)}kbd{border:1px solid #cdd6d1;border-radius:4px;padding:0 6px;background:#f5f7f6}
/* AA contrast (4.5:1) for small and muted text on the inbox's tinted backgrounds (buttons: styles.ts, for every page). */
.inbox .muted,.inbox .bubble small{color:#4f5a54}
@media (max-width:1000px){#inbox-main{grid-template-columns:minmax(0,1fr)}}
@media (max-width:760px){.inbox.has-thread .conv-list,.inbox.has-thread .inbox-filter{display:none}.thread .back{display:inline-block;margin-bottom:8px}
.inbox-cols{grid-template-columns:minmax(0,1fr)}.inbox-filter{flex-wrap:wrap}.bubble{max-width:90%}.card{padding:12px}}
`;
