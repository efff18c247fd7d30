// Child-process entry for gateway-identities.ts: `<pki dir> <thing>...` issues those client
// certificates under the dev CA already in the directory. It does nothing else.
import { ensureClientCert } from '../pki/dev-pki';

const [dir, ...things] = process.argv.slice(2);
for (const thing of things) ensureClientCert(dir, thing);
