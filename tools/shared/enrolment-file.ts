// The enrolment file that carries a device into a gateway on another machine: the thing's
// certificate, private key and device secret, sealed to that gateway's X25519 key (ephemeral
// X25519, HKDF-SHA256, AES-256-GCM), so only that gateway can open it and any change to a byte,
// or a cut, fails its tag. Pure crypto and JSON: it reads and writes no files.
import { createCipheriv, createDecipheriv, createHash, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { UserError } from './errors';

export const ENROLMENT_FORMAT = 'button-gateway-enrolment';

export interface Enrolment {
  thing: string;
  secret: string;
  certPem: string;
  keyPem: string;
  /** The AWS IoT endpoint aws-setup saved, for a gateway that has no certs/ of its own. */
  endpoint?: string;
  port?: number;
  /** The device's topic prefix, which the gateway polices (undefined: the default). */
  topicPrefix?: string;
}

interface Envelope {
  format: string;
  v: number;
  /** The gateway's id: the first 16 hex of SHA-256 over its raw public key. */
  gateway: string;
  epk: string;
  iv: string;
  tag: string;
  data: string;
}

/** The raw 32-byte X25519 public key as base64 (what the gateway announces). */
export function rawPublicKey(key: KeyObject): string {
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' }) as { x: string };
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

export function publicKeyFromRaw(b64: string): KeyObject {
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 32) throw new UserError(`The gateway key ${JSON.stringify(b64)} is not a 32-byte X25519 key in base64: copy it again from the gateway's start-up lines.`, 'gateway-key-invalid');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw.toString('base64url') }, format: 'jwk' });
}

export function gatewayId(publicKeyB64: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyB64, 'base64')).digest('hex').slice(0, 16);
}

function aad(e: Pick<Envelope, 'format' | 'v' | 'gateway' | 'epk'>): Buffer {
  return Buffer.from(JSON.stringify([e.format, e.v, e.gateway, e.epk]));
}

function keyFor(shared: Buffer, epk: string, gatewayPub: string): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.from(epk + gatewayPub), ENROLMENT_FORMAT, 32));
}

/** The file's text, sealed to the gateway whose public key (base64 raw) is given. */
export function sealEnrolment(e: Enrolment, gatewayPublicKey: string): string {
  const gwPub = publicKeyFromRaw(gatewayPublicKey);
  const eph = generateKeyPairSync('x25519');
  const epk = rawPublicKey(eph.publicKey);
  const head = { format: ENROLMENT_FORMAT, v: 1, gateway: gatewayId(gatewayPublicKey), epk };
  const key = keyFor(diffieHellman({ privateKey: eph.privateKey, publicKey: gwPub }), epk, gatewayPublicKey);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(head));
  const data = Buffer.concat([c.update(JSON.stringify(e), 'utf8'), c.final()]);
  const env: Envelope = { ...head, iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') };
  return JSON.stringify(env, null, 1) + '\n';
}

/** Opens a file's text with the gateway's private key; every failure is one sentence naming the file. */
export function openEnrolment(text: string, gatewayPrivateKey: KeyObject, file: string): Enrolment {
  let env: Envelope;
  try {
    env = JSON.parse(text) as Envelope;
  } catch {
    throw new UserError(`${file} is not a whole enrolment file (cut short, or another file): copy it again from the computer that ran provision.`, 'enrolment-unreadable');
  }
  const fields = ['gateway', 'epk', 'iv', 'tag', 'data'] as const;
  if (env?.format !== ENROLMENT_FORMAT || env.v !== 1 || !fields.every((f) => typeof env[f] === 'string')) {
    throw new UserError(`${file} is not an enrolment file this gateway reads (made by npm run provision -- --enrol-file): check the file name.`, 'enrolment-unreadable');
  }
  const ownPub = rawPublicKey(gatewayPrivateKey);
  const own = gatewayId(ownPub);
  if (env.gateway !== own) {
    throw new UserError(`${file} was made for another gateway (${env.gateway}; this one is ${own}): run provision again with this gateway's address or key.`, 'enrolment-other-gateway');
  }
  let plain: string;
  try {
    const key = keyFor(diffieHellman({ privateKey: gatewayPrivateKey, publicKey: publicKeyFromRaw(env.epk) }), env.epk, ownPub);
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(env.iv, 'base64')).setAAD(aad(env)).setAuthTag(Buffer.from(env.tag, 'base64'));
    plain = Buffer.concat([d.update(Buffer.from(env.data, 'base64')), d.final()]).toString('utf8');
  } catch {
    throw new UserError(`${file} has been changed or damaged since provision wrote it (its seal does not verify): copy it again, or run provision again.`, 'enrolment-tampered');
  }
  return JSON.parse(plain) as Enrolment;
}
