// DNS messages in wire format (RFC 1035 §4), only as much as DNS-over-HTTPS (RFC 8484) needs here: one
// A or AAAA question out, the addresses of the answer section back. Pure; bounds-checked; throws on malformed.

export const QTYPE = { A: 1, AAAA: 28 } as const;
export type QType = keyof typeof QTYPE;

export class DnsFormatError extends Error {}

/** A recursive query for one name (id 0, as RFC 8484 §4.1 recommends for cacheability). */
export function encodeQuery(name: string, type: QType): Uint8Array {
  const labels = name.replace(/\.$/, "").split(".");
  const qname: number[] = [];
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || !/^[\x21-\x7e]+$/.test(label)) throw new DnsFormatError(`invalid DNS label "${label}"`);
    qname.push(label.length, ...Array.from(label, (ch) => ch.charCodeAt(0)));
  }
  qname.push(0);
  if (qname.length > 255) throw new DnsFormatError("DNS name longer than 255 bytes");
  const header = [0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
  const qtype = QTYPE[type];
  return Uint8Array.from([...header, ...qname, qtype >> 8, qtype & 0xff, 0, 1]);
}

export type DnsAnswer = { rcode: number; addresses: string[] };

function ipv6Text(b: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push((((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16));
  return parts.join(":");
}

/** The response code and every A/AAAA address in the answer section (CNAME records are followed by the resolver). */
export function decodeAnswers(msg: Uint8Array): DnsAnswer {
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const need = (at: number, n: number) => {
    if (at + n > msg.byteLength) throw new DnsFormatError("truncated DNS message");
  };
  need(0, 12);
  const flags = view.getUint16(2);
  if ((flags & 0x8000) === 0) throw new DnsFormatError("not a DNS response");
  const qdcount = view.getUint16(4);
  const ancount = view.getUint16(6);
  let at = 12;
  const skipName = () => {
    for (let hops = 0; hops < 128; hops++) {
      need(at, 1);
      const len = msg[at] ?? 0;
      if (len === 0) {
        at += 1;
        return;
      }
      if ((len & 0xc0) === 0xc0) {
        need(at, 2);
        at += 2;
        return;
      }
      if ((len & 0xc0) !== 0) throw new DnsFormatError("unsupported DNS label type");
      at += 1 + len;
    }
    throw new DnsFormatError("DNS name too long");
  };
  for (let i = 0; i < qdcount; i++) {
    skipName();
    need(at, 4);
    at += 4;
  }
  const addresses: string[] = [];
  for (let i = 0; i < ancount; i++) {
    skipName();
    need(at, 10);
    const type = view.getUint16(at);
    const rdlength = view.getUint16(at + 8);
    at += 10;
    need(at, rdlength);
    const rdata = msg.subarray(at, at + rdlength);
    if (type === QTYPE.A && rdlength === 4) addresses.push(Array.from(rdata).join("."));
    if (type === QTYPE.AAAA && rdlength === 16) addresses.push(ipv6Text(rdata));
    at += rdlength;
  }
  return { rcode: flags & 0x000f, addresses };
}
