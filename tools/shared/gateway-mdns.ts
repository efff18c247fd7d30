// The gateway's name on the LAN: it answers mDNS/DNS-SD queries for _button-gw._tcp.local with
// its port and addresses (advertiseGateway), and provision asks for it (findGateways). Plain
// multicast DNS, as Bonjour and Avahi speak it; nothing secret is in it, and it is not trusted
// for anything but where to connect (the device still proves its secret to the gateway).
import makeMdns from 'multicast-dns';
import { hostname } from 'node:os';
import type { Answer } from 'dns-packet';

export const GATEWAY_SERVICE = '_button-gw._tcp.local';

/** Where mDNS runs: port 5353 on every interface by default; tests use loopback and a port of their own. */
export interface MdnsOptions {
  port?: number;
  /** The interface address to send and receive multicast on (e.g. 127.0.0.1). */
  interface?: string;
}

export interface FoundGateway {
  name: string;
  host: string;
  port: number;
  /** Its enrolment public key (X25519, base64), for provision --enrol-file. */
  key?: string;
}

/** MDNS=ADDRESS:PORT (e.g. 127.0.0.1:5399) moves mDNS off the LAN, for tests; unset means the LAN. */
export function mdnsFromEnv(env: Record<string, string | undefined> = process.env): MdnsOptions | undefined {
  const m = /^([\d.]+):(\d+)$/.exec(env.BUTTON_MDNS ?? '');
  return m ? { interface: m[1], port: Number(m[2]) } : undefined;
}

function open(o: MdnsOptions = {}) {
  return makeMdns({ port: o.port, interface: o.interface, bind: '0.0.0.0', reuseAddr: true, loopback: true });
}

const label = (s: string) => s.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63) || 'gateway';

/** Answers queries for the gateway service until close(). `addresses` are the IPv4 ones devices use. */
export function advertiseGateway(a: { port: number; addresses: string[]; key?: string; mdns?: MdnsOptions }): { close(): Promise<void> } {
  const mdns = open(a.mdns);
  const host = `${label(hostname())}.local`;
  const instance = `button gateway on ${label(hostname())}.${GATEWAY_SERVICE}`;
  const records: Answer[] = [
    { name: GATEWAY_SERVICE, type: 'PTR', ttl: 120, data: instance },
    { name: instance, type: 'SRV', ttl: 120, data: { port: a.port, target: host, priority: 0, weight: 0 } },
    { name: instance, type: 'TXT', ttl: 120, data: ['v=1', ...(a.key ? [`key=${a.key}`] : [])] },
    ...a.addresses.map((ip): Answer => ({ name: host, type: 'A', ttl: 120, data: ip })),
  ];
  mdns.on('query', (q) => {
    if (q.questions.some((x) => x.name.toLowerCase() === GATEWAY_SERVICE && (x.type === 'PTR' || (x.type as string) === 'ANY'))) {
      mdns.respond({ answers: records.slice(0, 1), additionals: records.slice(1) });
    }
  });
  mdns.on('error', () => undefined); // no mDNS on this network: the gateway works without it
  return { close: () => new Promise<void>((r) => mdns.destroy(() => r())) };
}

/** Asks the LAN for gateways for `timeoutMs`; each answer once, by instance name. */
export function findGateways(o: { timeoutMs?: number; mdns?: MdnsOptions } = {}): Promise<FoundGateway[]> {
  const mdns = open(o.mdns);
  const srv = new Map<string, { port: number; target: string }>();
  const keys = new Map<string, string>();
  const addresses = new Map<string, string>();
  mdns.on('response', (r) => {
    for (const rec of [...r.answers, ...(r.additionals ?? [])]) {
      if (rec.type === 'SRV' && rec.name.endsWith(`.${GATEWAY_SERVICE}`)) srv.set(rec.name, { port: rec.data.port, target: rec.data.target });
      if (rec.type === 'A' && !addresses.has(rec.name)) addresses.set(rec.name, rec.data);
      if (rec.type === 'TXT' && rec.name.endsWith(`.${GATEWAY_SERVICE}`)) {
        const entries = (Array.isArray(rec.data) ? rec.data : [rec.data]).map((b) => b.toString());
        const key = entries.find((t) => t.startsWith('key='));
        if (key) keys.set(rec.name, key.slice(4));
      }
    }
  });
  mdns.on('error', () => undefined);
  const ask = () => mdns.query({ questions: [{ name: GATEWAY_SERVICE, type: 'PTR' }] });
  ask();
  const again = setTimeout(ask, 300); // a lost first datagram is common on Wi-Fi
  return new Promise((resolve) => {
    setTimeout(() => {
      clearTimeout(again);
      mdns.destroy(() => {
        const found: FoundGateway[] = [];
        for (const [name, s] of srv) {
          const host = addresses.get(s.target);
          if (host) found.push({ name: name.slice(0, -GATEWAY_SERVICE.length - 1), host, port: s.port, key: keys.get(name) });
        }
        resolve(found);
      });
    }, o.timeoutMs ?? 1500);
  });
}
