// require() and Modules as Espruino 2v29 resolves them (src/jswrap_modules.c): the module cache,
// then built-in libraries, then a Storage file of that name; otherwise `Module "x" not found`.
// Built-in libraries we do not simulate (http, dgram, neopixel...) fail with a clear message.
import type { Realm } from './realm';
import type { BoardProfile } from './boards';
import type { StorageFs } from './storage-fs';

export interface ModuleHost {
  realm: Realm;
  board: BoardProfile;
  fs: StorageFs;
  /** Factories for the simulated built-in modules, called once per JavaScript session. */
  builtins: Record<string, () => object>;
}

export function installModules(g: Record<string, unknown>, h: ModuleHost): void {
  const { realm } = h;
  const cache = new Map<string, unknown>();

  function evalModule(name: string, code: unknown): unknown {
    const module = new realm.R.Object();
    module.exports = new realm.R.Object();
    if (typeof code === 'function') {
      // EspruinoTools' MODULE_AS_FUNCTION form: the body refers to free `exports`/`module`
      const saved = [g.exports, g.module];
      g.exports = module.exports;
      g.module = module;
      try {
        (code as () => void)();
      } finally {
        [g.exports, g.module] = saved;
        if (saved[0] === undefined) delete g.exports;
        if (saved[1] === undefined) delete g.module;
      }
    } else {
      const fn = realm.run(`(function (exports, module) {${String(code)}\n})`, name) as (e: unknown, m: unknown) => void;
      fn(module.exports, module);
    }
    return module.exports;
  }

  g.require = (name: unknown) => {
    if (typeof name !== 'string') throw realm.error('TypeError', `Expecting module name as a string, got ${typeof name}`);
    if (cache.has(name)) return cache.get(name);
    let m: unknown;
    const factory = Object.prototype.hasOwnProperty.call(h.builtins, name) ? h.builtins[name] : undefined;
    if (factory) m = factory();
    else if (h.board.modules.includes(name)) throw realm.error('Error', `Module "${name}" is built into ${h.board.board} but not simulated`);
    else {
      const file = name.length <= 28 ? h.fs.read(name) : undefined;
      if (!file) throw realm.error('Error', `Module ${JSON.stringify(name)} not found`);
      m = evalModule(name, file.toString('latin1'));
    }
    cache.set(name, m);
    return m;
  };

  const Modules = new realm.R.Object();
  const def = (k: string, fn: (...a: any[]) => unknown): void => Object.defineProperty(Modules, k, { value: fn, enumerable: true });
  def('addCached', (id: unknown, source: unknown) => {
    cache.set(String(id), evalModule(String(id), source));
  });
  def('removeCached', (id: unknown) => {
    if (!cache.delete(String(id))) throw realm.error('Error', `Module ${JSON.stringify(String(id))} not found`);
  });
  def('removeAllCached', () => cache.clear());
  def('getCached', () => realm.data([...cache.keys()]));
  g.Modules = Modules;
}
