// Compares firmware versions "major.minor.patch" (package.json's version) number by number; a
// pre-release suffix is ignored. It does not parse ranges or build metadata.

/** Negative when a is older than b, 0 when equal, positive when newer. */
export function compareVersions(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < 3; i++) {
    const d = (parseInt(x[i], 10) || 0) - (parseInt(y[i], 10) || 0);
    if (d) return d;
  }
  return 0;
}
