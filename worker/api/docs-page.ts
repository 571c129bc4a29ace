// A readable API reference rendered in the browser from /api/v1/openapi.json, with no external assets.
import { html } from "hono/html";

export function apiDocsPage(nonce: string) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Ping API reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2433;background:#f7f8fa}
main{max-width:960px;margin:0 auto;padding:24px}
h1{font-size:26px}h2{margin-top:36px;border-bottom:1px solid #dde;padding-bottom:4px;text-transform:capitalize}
.op{background:#fff;border:1px solid #e3e6ee;border-radius:8px;margin:12px 0;padding:12px 16px}
.m{display:inline-block;min-width:64px;font-weight:700;text-transform:uppercase;font-family:monospace}
.get{color:#0a7}.post{color:#06c}.patch{color:#b70}.put{color:#b70}.delete{color:#c22}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f3f4f8;padding:8px;overflow:auto;border-radius:6px}
details summary{cursor:pointer;color:#445}
</style>
</head>
<body><main><h1>Ping API reference</h1><p id="desc"></p><p><a href="/api/v1/openapi.json">openapi.json</a></p><div id="ops">Loading…</div></main>
<script nonce="${nonce}">
fetch('/api/v1/openapi.json').then(r=>r.json()).then(doc=>{
  document.getElementById('desc').textContent=doc.info.description||'';
  const byTag={};
  for(const [path,item] of Object.entries(doc.paths||{}))for(const [method,op] of Object.entries(item)){
    const tag=(op.tags&&op.tags[0])||'other';(byTag[tag]=byTag[tag]||[]).push({path,method,op});
  }
  const esc=s=>String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
  const schema=s=>s?'<pre>'+esc(JSON.stringify(s,null,2))+'</pre>':'';
  let out='';
  for(const tag of Object.keys(byTag).sort()){
    out+='<h2>'+esc(tag)+'</h2>';
    for(const {path,method,op} of byTag[tag]){
      const body=op.requestBody&&op.requestBody.content&&op.requestBody.content['application/json'];
      out+='<div class="op"><span class="m '+method+'">'+method+'</span> <code>'+esc(path)+'</code>'+
        (op.summary?'<div>'+esc(op.summary)+'</div>':'')+
        (op.parameters&&op.parameters.length?'<details><summary>Parameters</summary>'+schema(op.parameters)+'</details>':'')+
        (body?'<details><summary>Request body</summary>'+schema(body.schema)+'</details>':'')+
        '<details><summary>Responses</summary>'+schema(op.responses)+'</details></div>';
    }
  }
  out+='<h2>Schemas</h2>'+schema(doc.components&&doc.components.schemas);
  document.getElementById('ops').innerHTML=out;
});
</script></body></html>`;
}
