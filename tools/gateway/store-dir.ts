// Where the gateway keeps its store unless told otherwise. A module of its own, with no imports,
// so the command files (loaded at every CLI start) need not load device-store.ts and zod.
export const DEFAULT_STORE_DIR = '.gateway';
