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
const ATTRIBUTE_TYPE = /^[A-Za-z][A-Za-z0-9-]*$/;
/** Characters RFC 4514 requires to be escaped anywhere in a value (besides NUL). */
const MUST_ESCAPE = `,+"\\<>;`;
/** What escapeDnValue escapes with a backslash: RFC 4514's specials plus `=`, as Active Directory does. */
const ESCAPED_WITH_BACKSLASH = `${MUST_ESCAPE}=`;
/** Characters refused unescaped: NUL (RFC 4514) and line breaks (they would end a line in a log or a script). */
const RAW_CONTROL = "\u0000\r\n";
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });
const UTF8 = new TextEncoder();

/** `\\0A`: a character as hex escapes of its UTF-8 bytes. */
function hexOf(char: string): string {
  return Array.from(
    UTF8.encode(char),
    (byte) => `\\${byte.toString(16).toUpperCase().padStart(2, "0")}`,
  ).join("");
}

function describe(dn: string): string {
  return JSON.stringify(dn);
}

/**
 * Splits a DN into RDNs, undoing backslash escapes (`\,` and `\2C` alike; hex escapes are UTF-8 bytes).
 * Throws a DistinguishedNameError on anything Active Directory would not read as the same DN: a missing
 * `=`, an invalid attribute type, an empty value, an unescaped special character, a multi-valued RDN
 * (`OU=a+CN=b`, not supported), a BER-encoded `#...` value, escapes that are not UTF-8, text that is not
 * well-formed Unicode.
 */
export function parseDn(dn: string): RelativeDistinguishedName[] {
  if (LONE_SURROGATE.test(dn)) {
    throw new DistinguishedNameError(`${describe(dn)} is not well-formed Unicode (a lone surrogate)`);
  }
  const chars = Array.from(dn); // code points, so a character outside the BMP stays one character
  const rdns: RelativeDistinguishedName[] = [];
  let index = 0;
  const skipSpaces = (): void => {
    while (chars[index] === " ") index++;
  };
  skipSpaces();
  if (index >= chars.length) throw new DistinguishedNameError("an empty distinguished name");
  for (;;) {
    // attribute type
    const typeStart = index;
    while (index < chars.length && chars[index] !== "=" && chars[index] !== ",") index++;
    if (chars[index] !== "=") {
      throw new DistinguishedNameError(`${describe(dn)} is not a distinguished name (missing "=")`);
    }
    const type = chars.slice(typeStart, index).join("").trim();
    if (!ATTRIBUTE_TYPE.test(type)) {
      throw new DistinguishedNameError(`${describe(dn)} has an invalid attribute type ${describe(type)}`);
    }
    index++;
    skipSpaces();
    if (chars[index] === "#") {
      throw new DistinguishedNameError(
        `${describe(dn)}: the value of ${type} starts with an unescaped "#" (a BER-encoded value, not supported); write \\# for a literal "#"`,
      );
    }
    // attribute value: bytes, so that hex escapes of multi-byte UTF-8 characters decode as one character
    const bytes: number[] = [];
    // Unescaped spaces count only when something follows them in the value: trailing ones are insignificant.
    let pendingSpaces = 0;
    const flushSpaces = (): void => {
      for (; pendingSpaces > 0; pendingSpaces--) bytes.push(0x20);
    };
    const pushText = (text: string): void => {
      flushSpaces();
      // One character: ASCII is its own UTF-8 byte (most DNs are ASCII: no encoder call per character).
      const code = text.charCodeAt(0);
      if (code < 0x80) bytes.push(code);
      else bytes.push(...UTF8.encode(text));
    };
    let ended = false;
    while (index < chars.length) {
      const char = chars[index] as string;
      if (char === "\\") {
        const pair = `${chars[index + 1] ?? ""}${chars[index + 2] ?? ""}`;
        if (HEX_PAIR.test(pair)) {
          flushSpaces();
          bytes.push(parseInt(pair, 16));
          index += 3;
        } else if (index + 1 < chars.length) {
          pushText(chars[index + 1] as string);
          index += 2;
        } else {
          throw new DistinguishedNameError(`${describe(dn)} ends with a lone backslash`);
        }
        continue;
      }
      if (char === ",") {
        index++;
        ended = true;
        break;
      }
      if (char === "+") {
        throw new DistinguishedNameError(
          `${describe(dn)} has a multi-valued RDN (an unescaped "+" in the value of ${type}): multi-valued RDNs are not supported; write \\+ for a literal "+"`,
        );
      }
      if (MUST_ESCAPE.includes(char) || RAW_CONTROL.includes(char)) {
        const written = RAW_CONTROL.includes(char) ? hexOf(char) : `\\${char}`;
        throw new DistinguishedNameError(
          `${describe(dn)} has an unescaped ${describe(char)} in the value of ${type}: write it as ${written}`,
        );
      }
      if (char === " ") pendingSpaces++;
      else pushText(char);
      index++;
    }
    let value: string;
    try {
      value = STRICT_UTF8.decode(new Uint8Array(bytes));
    } catch {
      throw new DistinguishedNameError(
        `${describe(dn)}: the hex escapes in the value of ${type} are not UTF-8`,
      );
    }
    if (value === "") throw new DistinguishedNameError(`${describe(dn)} has an empty value for ${type}`);
    rdns.push({ type, value });
    if (!ended) return rdns;
    skipSpaces();
    if (index >= chars.length) throw new DistinguishedNameError(`${describe(dn)} ends with a comma`);
  }
}

/**
 * Escapes an attribute value for use in a DN: `, + " \ < > ; =` with a backslash, control characters as
 * hex (`\0A`), a leading `#` or space and a trailing space with a backslash. parseDn undoes it exactly.
 */
export function escapeDnValue(value: string): string {
  const pieces = Array.from(value, (char) => {
    if (ESCAPED_WITH_BACKSLASH.includes(char)) return `\\${char}`;
    const code = char.codePointAt(0) as number;
    if (code < 0x20 || code === 0x7f) return hexOf(char);
    return char;
  });
  if (pieces[0] === "#" || pieces[0] === " ") pieces[0] = `\\${pieces[0]}`;
  const last = pieces.length - 1;
  if (last >= 0 && pieces[last] === " ") pieces[last] = "\\ ";
  return pieces.join("");
}

/**
 * Drops whitespace around a DN, but keeps a trailing space that a backslash escapes (it is part of the last
 * value): `OU=x\\ ` stays as it is, `OU=x  ` becomes `OU=x`.
 */
export function trimDn(dn: string): string {
  const start = dn.trimStart();
  const trimmed = start.trimEnd();
  if (trimmed.length === start.length) return trimmed;
  let backslashes = 0;
  for (let i = trimmed.length - 1; i >= 0 && trimmed[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 1 ? start.slice(0, trimmed.length + 1) : trimmed;
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
