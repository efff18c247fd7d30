// Test PKI for the TLS tests, made with node-forge: a CA, an RSA server certificate for
// localhost/127.0.0.1 and an RSA client certificate, as DER (what the device takes) and PEM.
import crypto from 'node:crypto';
import forge from 'node-forge';

export interface Cert {
  keyPem: string;
  certPem: string;
  keyDer: Buffer;
  certDer: Buffer;
}

const der = (asn1: forge.asn1.Asn1): Buffer => Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');

function make(cn: string, issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }, san = false): Cert & { forgeCert: forge.pki.Certificate; forgeKey: forge.pki.rsa.PrivateKey } {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 1024, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  // Even-length hex with a non-zero first byte: '0' + hex whose first byte was 00 made a serial
  // OpenSSL refuses to parse (about 1 certificate in 800; seen once in CI).
  cert.serialNumber = '01' + crypto.randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 86400000);
  cert.validity.notAfter = new Date(Date.now() + 86400000 * 30);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  cert.setIssuer([{ name: 'commonName', value: issuer ? issuer.cert.subject.getField('CN').value : cn }]);
  const ext: any[] = [{ name: 'basicConstraints', cA: !issuer }];
  if (san) ext.push({ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] });
  cert.setExtensions(ext);
  cert.sign(issuer ? issuer.key : keys.privateKey, forge.md.sha256.create());
  return {
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
    certPem: forge.pki.certificateToPem(cert),
    keyDer: der(forge.pki.privateKeyToAsn1(keys.privateKey)),
    certDer: der(forge.pki.certificateToAsn1(cert)),
    forgeCert: cert,
    forgeKey: keys.privateKey,
  };
}

export function makePki(): { ca: Cert; otherCa: Cert; server: Cert; client: Cert; ecKeyDer: Buffer } {
  const ca = make('Test CA');
  const otherCa = make('Unrelated CA');
  const server = make('localhost', { cert: ca.forgeCert, key: ca.forgeKey }, true);
  const client = make('device-1', { cert: ca.forgeCert, key: ca.forgeKey });
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { ca, otherCa, server, client, ecKeyDer: ec.privateKey.export({ type: 'sec1', format: 'der' }) };
}
