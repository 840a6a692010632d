// Distinguished names (RFC 4514) as Active Directory treats them: parsing, escaping and the case-insensitive
// keys AD compares them by. Shared by the providers and the simulator.

export interface RelativeDistinguishedName {
  type: string;
  /** The unescaped attribute value. */
  value: string;
}

export class DistinguishedNameError extends Error {
  override readonly name = "DistinguishedNameError";
}

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;

/** Splits a DN into RDNs, undoing backslash escapes (`\,` and `\2C` alike). Throws on malformed input. */
export function parseDn(dn: string): RelativeDistinguishedName[] {
  const rdns: RelativeDistinguishedName[] = [];
  let index = 0;
  const text = dn.trim();
  if (text === "") throw new DistinguishedNameError("an empty distinguished name");
  while (index < text.length) {
    const equals = text.indexOf("=", index);
    if (equals < 0) throw new DistinguishedNameError(`"${dn}" is not a distinguished name (missing "=")`);
    const type = text.slice(index, equals).trim();
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(type)) {
      throw new DistinguishedNameError(`"${dn}" has an invalid attribute type "${type}"`);
    }
    index = equals + 1;
    while (text[index] === " ") index++;
    const bytes: number[] = [];
    // Unescaped spaces count only when something follows them: trailing ones are insignificant.
    let pendingSpaces = 0;
    let ended = false;
    const encoder = new TextEncoder();
    const flushSpaces = (): void => {
      for (; pendingSpaces > 0; pendingSpaces--) bytes.push(0x20);
    };
    while (index < text.length) {
      const char = text[index] as string;
      if (char === "\\") {
        const next = text.slice(index + 1, index + 3);
        if (HEX_PAIR.test(next)) {
          flushSpaces();
          bytes.push(parseInt(next, 16));
          index += 3;
        } else if (index + 1 < text.length) {
          flushSpaces();
          bytes.push(...encoder.encode(text[index + 1] as string));
          index += 2;
        } else {
          throw new DistinguishedNameError(`"${dn}" ends with a lone backslash`);
        }
        continue;
      }
      if (char === ",") {
        index++;
        ended = true;
        break;
      }
      if (char === " ") {
        pendingSpaces++;
      } else {
        flushSpaces();
        bytes.push(...encoder.encode(char));
      }
      index++;
    }
    const value = new TextDecoder().decode(new Uint8Array(bytes));
    if (value === "") throw new DistinguishedNameError(`"${dn}" has an empty value for ${type}`);
    rdns.push({ type, value });
    if (ended && index >= text.length) throw new DistinguishedNameError(`"${dn}" ends with a comma`);
  }
  return rdns;
}

/** Escapes an attribute value for use in a DN: `, + " \ < > ; =`, a leading `#` or space, a trailing space. */
export function escapeDnValue(value: string): string {
  let escaped = "";
  for (const char of value) {
    if (`,+"\\<>;=`.includes(char)) escaped += `\\${char}`;
    else if (char === "\u0000") escaped += "\\00";
    else if (char === "\n") escaped += "\\0A";
    else if (char === "\r") escaped += "\\0D";
    else escaped += char;
  }
  if (escaped.startsWith("#") || escaped.startsWith(" ")) escaped = `\\${escaped}`;
  if (escaped.endsWith(" ") && !escaped.endsWith("\\ ")) escaped = `${escaped.slice(0, -1)}\\ `;
  return escaped;
}

export function formatDn(rdns: readonly RelativeDistinguishedName[]): string {
  return rdns.map((rdn) => `${rdn.type}=${escapeDnValue(rdn.value)}`).join(",");
}

/** The canonical DN text: types upper-case, values escaped the same way, no stray spaces. */
export function canonicalDn(dn: string): string {
  return formatDn(parseDn(dn).map((rdn) => ({ type: rdn.type.toUpperCase(), value: rdn.value })));
}

/** A case-insensitive key: AD treats `ou=groups,dc=contoso,dc=com` and `OU=Groups,DC=Contoso,DC=com` as one object. */
export function dnKey(dn: string): string {
  return canonicalDn(dn).toLowerCase();
}

/** The DN one level up, or null for a DN with one RDN. */
export function parentDn(dn: string): string | null {
  const rdns = parseDn(dn);
  return rdns.length > 1 ? formatDn(rdns.slice(1)) : null;
}

/** Parent of a key produced by dnKey (keys are canonical, so the parent key is a suffix). */
export function parentKey(key: string): string | null {
  const rdns = parseDn(key);
  return rdns.length > 1 ? formatDn(rdns.slice(1)).toLowerCase() : null;
}

/** True when `key` names the object `ancestorKey` or one below it (both from dnKey). */
export function isAtOrBelow(key: string, ancestorKey: string): boolean {
  if (key === ancestorKey) return true;
  if (!key.endsWith(`,${ancestorKey}`)) return false;
  // The comma must separate RDNs, not be an escaped comma inside a value ("CN=a\\,OU=x").
  let backslashes = 0;
  for (let i = key.length - ancestorKey.length - 2; i >= 0 && key[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 0;
}

export function firstRdn(dn: string): RelativeDistinguishedName {
  return parseDn(dn)[0] as RelativeDistinguishedName;
}

/** Domain DNS name to DN: contoso.com → DC=contoso,DC=com */
export function domainDnFromDnsName(dnsName: string): string {
  return dnsName
    .split(".")
    .map((label) => `DC=${escapeDnValue(label)}`)
    .join(",");
}
