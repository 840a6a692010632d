// DN questions the providers ask, on top of the shared RFC 4514 rules in domain/dn.ts.
import { dnKey, formatDn, isAtOrBelow, parseDn } from "../../domain/dn";

export { escapeDnValue, parseDn } from "../../domain/dn";

/** Whether two DNs name the same object, as AD compares them (case-insensitive, canonical spacing). */
export function sameDn(left: string | null | undefined, right: string | null | undefined): boolean {
  if (!left || !right) return left === right;
  try {
    return dnKey(left) === dnKey(right);
  } catch {
    return left.toLowerCase() === right.toLowerCase();
  }
}

/** True when `dn` is `container` or lies below it. */
export function isWithin(dn: string, container: string): boolean {
  return isAtOrBelow(dnKey(dn), dnKey(container));
}

/** The domain's root DN (the DC= components at the end). */
export function domainRootOf(dn: string): string {
  const rdns = parseDn(dn);
  const firstDc = rdns.findIndex((rdn) => rdn.type.toUpperCase() === "DC");
  if (firstDc < 0) throw new Error(`"${dn}" has no DC= components`);
  return formatDn(rdns.slice(firstDc));
}

/** Splits an OU DN into its name and parent DN. */
export function splitOuDn(dn: string): { name: string; parentDn: string } {
  const [first, ...rest] = parseDn(dn);
  if (!first || first.type.toUpperCase() !== "OU") {
    throw new Error(`"${dn}" does not name an OU (it must start with OU=)`);
  }
  if (rest.length === 0) throw new Error(`"${dn}" has no parent`);
  return { name: first.value, parentDn: formatDn(rest) };
}
