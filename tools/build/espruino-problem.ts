// One thing the Espruino gate found in the bundle: what, why, and where. Its own file so the gate
// and the top-level clash check (espruino-globals.ts) can both name it without importing each other.

export interface EspruinoProblem {
  construct: string;
  message: string;
  /** Position in the checked code: 1-based line, 0-based column. */
  line: number;
  column: number;
}
