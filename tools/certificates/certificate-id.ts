// AWS IoT names a certificate by the SHA-256 of its DER bytes (the "certificate ID" and the hash
// prefix of the console's file names). It does not ask AWS anything.
import { createHash, X509Certificate } from 'node:crypto';

export function certificateId(cert: X509Certificate | string | Buffer): string {
  const x = cert instanceof X509Certificate ? cert : new X509Certificate(cert);
  return createHash('sha256').update(x.raw).digest('hex');
}

/** The subject's common name, or undefined when there is none. */
export function commonName(cert: X509Certificate): string | undefined {
  const line = cert.subject.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3) : undefined;
}
