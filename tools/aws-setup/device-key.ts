// The thing's private key and certificate signing request, made on the host so the key never
// leaves it: AWS only ever sees the CSR. Writes no files; run.ts decides where the key goes.
import { generateKeyPair } from 'node:crypto';
import forge from 'node-forge';

/**
 * RSA 2048: what Espruino's TLS can use (no ECDHE/ECDSA in its mbedTLS; bigger keys exhaust its
 * RAM) and what a gateway can use as well. PKCS#1 PEM, as AWS's console hands out keys.
 */
export function generateDeviceKey(): Promise<string> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }, (err, _pub, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** A SHA-256 signed CSR with CN=<thing>, so the issued certificate names its thing. */
export function createCsr(privateKeyPem: string, thing: string): string {
  const key = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  csr.setSubject([{ name: 'commonName', value: thing }]);
  csr.sign(key, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}
