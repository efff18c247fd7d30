// ota.js, the receiver as a Storage file: hook.ts evals it when an update or a trial needs it, and
// it leaves the receiver on E.ota for the hook to take. The build wraps it in a function, so
// nothing of it stays global. It reads the gateway secret from flash itself: the resident firmware
// keeps no copy for it.
import { createReceiver } from './receiver';

(function () {
  const S = require('Storage');
  let cfg: any;
  try {
    cfg = JSON.parse(S.read('config.json') || S.read('config.bak') || '{}');
  } catch (e) {
    cfg = {};
  }
  const secret = (cfg.gateway && cfg.gateway.secret) || '';
  cfg = 0; // Espruino closures keep their whole scope: not the whole config
  let made: any;
  (E as any).ota = function (ev: number, c?: any, fw?: string, pkt?: any, pfx?: string): number {
    if (!made)
      made = createReceiver({
        store: S,
        room: function () {
          const s = (S as any).getStats();
          return s.freeBytes + s.trashBytes;
        },
        crc32: (E as any).CRC32,
        sha1: function (s: string) {
          return E.toString(new Uint8Array(require('crypto').SHA1(s)));
        },
        log: console.log,
        restart: function () {
          load();
        },
        after: function (ms: number, fn: () => void) {
          return setTimeout(fn, ms) as unknown as number;
        },
        cancel: clearTimeout as unknown as (id: number) => void,
        prefix: pfx!,
        secret: secret,
      });
    return made(ev, c, fw, pkt);
  };
})();
