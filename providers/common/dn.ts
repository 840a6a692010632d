// Distinguished names: split into RDNs respecting RFC 4514 escapes, compare as AD does (case-insensitive,
// insignificant spaces around separators ignored).

export interface Rdn {
  type: string;
  value: string;
}

/** Splits a DN into its RDNs, unescaping values. Throws on a malformed DN. */
export function parseDn(dn: string): Rdn[] {
  const rdns: Rdn[] = [];
  let current = "";
  let escaped = false;
  const parts: string[] = [];
  for (const char of dn) {
    if (escaped) {
      current += `\\${char}`;
      escaped = false;
    } else if (char === "\\") {
      escaped = true;
    } else if (char === ",") {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  if (escaped) throw new Error(`"${dn}" ends with a lone backslash`);
  parts.push(current);
  for (const part of parts) {
    const equals = part.indexOf("=");
    if (equals <= 0) throw new Error(`"${part.trim()}" in "${dn}" is not of the form TYPE=value`);
    const type = part.slice(0, equals).trim();
    const value = unescapeValue(part.slice(equals + 1).trim());
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(type))
      throw new Error(`"${type}" in "${dn}" is not an attribute type`);
    if (value === "") throw new Error(`"${part.trim()}" in "${dn}" has an empty value`);
    rdns.push({ type, value });
  }
  return rdns;
}

function unescapeValue(value: string): string {
  return value.replace(/\\([0-9A-Fa-f]{2}|.)/g, (_, escape: string) =>
    escape.length === 2 ? String.fromCharCode(parseInt(escape, 16)) : escape,
  );
}

/** RFC 4514 escaping of one attribute value. */
export function escapeDnValue(value: string): string {
  let escaped = value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`);
  if (escaped.startsWith("#") || escaped.startsWith(" ")) escaped = `\\${escaped}`;
  if (escaped.endsWith(" ") && !escaped.endsWith("\\ ")) escaped = `${escaped.slice(0, -1)}\\ `;
  return escaped;
}

export function formatDn(rdns: Rdn[]): string {
  return rdns.map((rdn) => `${rdn.type.toUpperCase()}=${escapeDnValue(rdn.value)}`).join(",");
}

/** A canonical form for comparisons: types upper-cased, values lower-cased, spacing normalized. */
export function canonicalDn(dn: string): string {
  return parseDn(dn)
    .map((rdn) => `${rdn.type.toUpperCase()}=${escapeDnValue(rdn.value).toLowerCase()}`)
    .join(",");
}

export function sameDn(left: string | null | undefined, right: string | null | undefined): boolean {
  if (!left || !right) return left === right;
  try {
    return canonicalDn(left) === canonicalDn(right);
  } catch {
    return left.toLowerCase() === right.toLowerCase();
  }
}

/** True when `dn` is `container` or lies below it. */
export function isWithin(dn: string, container: string): boolean {
  const inner = canonicalDn(dn);
  const outer = canonicalDn(container);
  return inner === outer || inner.endsWith(`,${outer}`);
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
  const rdns = parseDn(dn);
  const [first, ...rest] = rdns;
  if (!first || first.type.toUpperCase() !== "OU")
    throw new Error(`"${dn}" does not name an OU (it must start with OU=)`);
  if (rest.length === 0) throw new Error(`"${dn}" has no parent`);
  return { name: first.value, parentDn: formatDn(rest) };
}
