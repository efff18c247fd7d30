// require("tls") with Espruino's mbedTLS limits (network.c, mbedtls/config.h, 2v29): DER only, TLS 1.2,
// RSA/DHE-RSA key exchange, no SNI, no server verification. An EC client key fails the handshake
// (no MBEDTLS_ECDSA_C); we assume the server asks for a client certificate.
import crypto from 'node:crypto';
import nodeTls from 'node:tls';
import type { Realm } from './realm';
import type { SocketRegistry, Upgrade } from './net';
import { bytesOf } from './storage-module';

const CIPHERS = [
  'AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA256', 'AES256-SHA256', 'AES128-SHA', 'AES256-SHA',
  'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-SHA256', 'DHE-RSA-AES256-SHA256',
].join(':');

/** MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE / MBEDTLS_ERR_PK_TYPE_MISMATCH as jswrap_crypto_error_to_jsvar prints them. */
const ALERT = '-0x7780';
const PK_MISMATCH = '-0x3f00';

/** The bytes of a key/cert option; only DER (an ASN.1 SEQUENCE) parses: no MBEDTLS_PEM_PARSE_C. */
function der(value: unknown): Buffer {
  // decode_certificate_var: a function is called to produce the data
  const v = typeof value === 'function' ? (value as () => unknown)() : value;
  const b = bytesOf(v);
  if (b[0] !== 0x30) throw new Error('not DER');
  return b;
}

function pem(label: string, body: Buffer): string {
  const b64 = body.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function parseKey(bytes: Buffer): crypto.KeyObject | undefined {
  for (const type of ['pkcs1', 'pkcs8', 'sec1'] as const) {
    try {
      return crypto.createPrivateKey({ key: bytes, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  return undefined;
}

export function createTlsModule(realm: Realm, sockets: SocketRegistry): object {
  function connect(options: unknown, callback: unknown): object {
    const o = (options && typeof options === 'object' ? options : {}) as Record<string, unknown>;
    const fail = (what: string): never => {
      throw realm.error('InternalError', `HTTPS init failed! ${what}: Invalid format`);
    };
    // order as ssl_newSocketData: ca, cert, key
    if (o.ca !== undefined) {
      try {
        new crypto.X509Certificate(der(o.ca));
      } catch {
        fail("mbedtls_x509_crt_parse of 'ca'");
      }
    }
    let certPem: string | undefined;
    if (o.cert !== undefined) {
      try {
        certPem = new crypto.X509Certificate(der(o.cert)).toString();
      } catch {
        fail("mbedtls_x509_crt_parse of 'cert'");
      }
    }
    let key: crypto.KeyObject | undefined;
    if (o.key !== undefined) {
      try {
        key = parseKey(der(o.key));
      } catch {
        key = undefined;
      }
      if (!key) fail('mbedtls_pk_parse_key');
    }
    const upgrade: Upgrade = {
      start(tcp, onReady, onFail) {
        if (key && key.asymmetricKeyType !== 'rsa') {
          onFail(PK_MISMATCH);
          return;
        }
        const t = nodeTls.connect({
          socket: tcp,
          servername: '', // no MBEDTLS_SSL_SERVER_NAME_INDICATION: no SNI
          rejectUnauthorized: false,
          minVersion: 'TLSv1.2',
          maxVersion: 'TLSv1.2',
          ciphers: CIPHERS,
          key: key ? pem('PRIVATE KEY', key.export({ type: 'pkcs8', format: 'der' })) : undefined,
          cert: certPem,
        });
        let ready = false;
        t.once('secureConnect', () => {
          ready = true;
          onReady(t);
        });
        t.on('error', () => {
          if (!ready) onFail(ALERT);
        });
      },
    };
    const host = o.host;
    return sockets.connect({ host, port: o.port }, callback, upgrade);
  }
  const m = new realm.R.Object();
  Object.defineProperty(m, 'connect', { value: connect, enumerable: true });
  return m;
}
