// Maps positions in the bundle back to the TypeScript sources through esbuild's source map, and
// names the bundle in the map. Does not read or write files.

import * as path from 'path';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';

export interface SourcePosition {
  /** Relative to the build's cwd, with forward slashes. */
  file: string;
  /** 1-based line, 0-based column, as source maps count. */
  line: number;
  column: number;
}

/**
 * Returns a function from bundle positions (1-based line, 0-based column) to source positions,
 * or null where the bundle has no source (esbuild's own helpers).
 */
export function createLocator(mapText: string, outFile: string, cwd: string): (line: number, column: number) => SourcePosition | null {
  const map = new TraceMap(mapText);
  const outDir = path.dirname(outFile);
  return (line, column) => {
    const found = originalPositionFor(map, { line, column });
    if (found.source === null || found.line === null || found.column === null) return null;
    // esbuild writes sources relative to the output file's folder.
    const file = path.relative(cwd, path.resolve(outDir, found.source)).split(path.sep).join('/');
    return { file, line: found.line, column: found.column };
  };
}

/** The map with its `file` set to the bundle's name (esbuild leaves `file` out). */
export function withMapFile(mapText: string, file: string): string {
  const map = JSON.parse(mapText) as { file?: string };
  map.file = file;
  return JSON.stringify(map);
}
