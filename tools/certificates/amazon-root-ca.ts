// Amazon Root CA 1, the CA of every AWS IoT ATS endpoint, taken from the root store Node ships
// (tls.rootCertificates), so nobody has to download AmazonRootCA1.pem. It reads no file.
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { UserError } from '../shared/errors';
import { AMAZON_ROOT_CA1_URL, CA_FILE } from './locate-identity';

/** How tools name the built-in CA where they would name a file. */
export const BUILTIN_CA_NAME = "Amazon Root CA 1 (Node's root store)";

let cached: string | undefined;

/** The PEM of Amazon Root CA 1 from Node's root store. */
export function amazonRootCa1Pem(roots: readonly string[] = rootCertificates): string {
  if (roots === rootCertificates && cached) return cached;
  const pem = roots.find((p) => /^CN=Amazon Root CA 1$/m.test(new X509Certificate(p).subject));
  if (!pem) {
    throw new UserError(`This Node has no Amazon Root CA 1 in its root store: download ${CA_FILE} from ${AMAZON_ROOT_CA1_URL} and pass --ca FILE.`, 'ca-missing');
  }
  if (roots === rootCertificates) cached = pem;
  return pem;
}
