/**
 * The behaviour version of every provider. It is an input of every resource, so bumping it makes the
 * next `pulumi up` update each resource, which refreshes the serialized provider stored in state.
 */
export const PROVIDER_VERSION = "1";

/** The oldest Entra Connect build that supports Group Writeback V2 (Microsoft's documented prerequisite). */
export const MINIMUM_V2_CONNECT_VERSION = "2.0.89.0";

/** Compares dotted numeric versions like .NET [version]: 2.0.89.0 < 2.0.100.0. */
export function compareVersions(left: string, right: string): number {
  const a = left.split(".").map(Number);
  const b = right.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}
