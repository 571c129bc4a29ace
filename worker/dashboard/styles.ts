// The dashboard's one stylesheet, inlined in every page's <head> (the CSP's style-src allows inline styles).
export const STYLES = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1b2330;background:#f5f7f6}
a{color:#0b7a55}.shell{display:flex;min-height:100vh}
nav.side{width:250px;background:#0f3d2e;color:#e6f2ec;padding:16px 0;flex-shrink:0}
nav.side a{display:block;color:#d5eadf;text-decoration:none;padding:7px 20px;font-size:14px}
nav.side a.on,nav.side a:hover{background:#1a5a44;color:#fff}
nav.side .brand{font-weight:800;font-size:22px;padding:4px 20px 16px;color:#fff}
main{flex:1;padding:24px 32px;max-width:1100px}
header.top{display:flex;justify-content:space-between;align-items:center;margin-bottom:16px;gap:12px}
.card{background:#fff;border:1px solid #e1e6e3;border-radius:10px;padding:18px 20px;margin-bottom:16px}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:8px;border-bottom:1px solid #eef1ef;font-size:14px;vertical-align:top}
input,select,textarea{font:inherit;padding:7px 9px;border:1px solid #c9d2cd;border-radius:6px;min-width:220px}
button{font:inherit;padding:7px 14px;border-radius:6px;border:0;background:#0b7a55;color:#fff;cursor:pointer}
button.ghost{background:#eef3f0;color:#1b2330}button.danger{background:#c43d3d}
label{display:block;margin:8px 0 4px;font-size:13px;color:#4a5650}
.row{display:flex;gap:12px;flex-wrap:wrap;align-items:flex-end}
.out{margin-top:8px;font-size:14px}.err{color:#b22}.ok{color:#0a6a45;word-break:break-all}
.banner{background:#fff4e5;border:1px solid #f3c98b;padding:10px 14px;border-radius:8px;margin-bottom:16px}
code.big{display:inline-block;background:#f0f4f2;padding:6px 10px;border-radius:6px;font-size:14px}
.auth{max-width:400px;margin:8vh auto}.auth input{width:100%}.muted{color:#6b7770;font-size:13px}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;background:#eef3f0;font-size:12px}
.builder .cond{display:flex;gap:6px;margin:6px 0}.builder .cond input,.builder .cond select{min-width:0;flex:1}.builder .cond button{flex:0}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:16px}.editor textarea{width:100%;font-family:ui-monospace,monospace;font-size:13px}
pre.preview{white-space:pre-wrap;background:#e7f8ee;border-radius:8px;padding:10px 12px;max-width:520px}
pre.msg{white-space:pre-wrap;margin:0;font:inherit}pre.payload{white-space:pre-wrap;word-break:break-all;max-height:300px;overflow:auto;font-size:12px;background:#f6f8f7;padding:8px}
.st-success{background:#dff5e8}.st-failed,.st-rejected{background:#fbe3e3}.st-duplicate{background:#eee}
.pill.failed{background:#fde8e8;color:#a32}.pill.delivered,.pill.read,.pill.connected{background:#e3f5ec;color:#0a6a45}
.chat{display:flex;flex-direction:column;gap:6px;max-height:420px;overflow:auto;padding:8px;background:#efeae2;border-radius:8px}
.bubble{max-width:70%;padding:6px 10px;border-radius:8px;background:#fff;font-size:14px;white-space:pre-wrap}
.bubble.out{align-self:flex-end;background:#d9fdd3}.inbox-cols{display:grid;grid-template-columns:minmax(220px,1fr) 2fr;gap:16px}
.conv-list{list-style:none;padding:0;max-height:70vh;overflow:auto}.conv-list li{border-bottom:1px solid #eef1ef}.conv-list li a{display:block;padding:8px 12px;text-decoration:none;color:inherit}
.conv-list li.on{background:#e3f5ec}.pill.unread{background:#0b7a55;color:#fff}.thread textarea{flex:1;min-width:0;font-size:16px}.note{background:#fff8e1;padding:4px 8px;margin:4px 0;list-style:none}
@media (max-width:760px){.inbox-cols{grid-template-columns:1fr}nav.side{display:none}main{padding:12px}}.bubble small{display:block;color:#6b7770;font-size:11px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:8px 16px}.grid input,.grid select{min-width:0;width:100%}
.usage{margin:10px 0}.st-grace{background:#fff4e5}.st-expired{background:#fbe3e3}.st-active{background:#e3f5ec}
.checks{display:flex;flex-wrap:wrap;gap:4px 14px}.check{display:inline-flex;gap:6px;align-items:center;margin:2px 0;color:inherit;font-size:14px}.check input{min-width:0}
.picks{list-style:none;padding:0;margin:4px 0}.picks li{display:flex;justify-content:space-between;gap:8px;padding:3px 0;border-bottom:1px solid #eef1ef}.picks button{padding:2px 8px}
.counters{display:flex;flex-wrap:wrap;gap:8px 22px;margin:10px 0}.counter{display:flex;flex-direction:column}.counter b{font-size:20px}.count{margin-top:12px}
.bars{display:grid;grid-template-columns:160px 1fr 60px;gap:4px 10px;align-items:center;font-size:13px}.bars svg{display:block}
@media print{.noprint,nav.side,header.top,.banner{display:none}.card{border:0}}
`;
