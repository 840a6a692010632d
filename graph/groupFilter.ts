// The $filter forms on /groups the project sends and the simulated Graph answers, each clause ANDed: one grammar
// for both, so what the providers accept is exactly what the simulator models. Graph supports more (or, not,
// other properties and functions); anything outside these forms is refused before a request is made.
// Microsoft's reference: https://learn.microsoft.com/graph/aad-advanced-queries (group properties and operators).

/** Graph refuses more values in one `in` clause (INFERRED from the directory's 15-clause OR limit; docs/simulator.md). */
export const MAX_IN_VALUES = 15;

export type GroupFilterClause =
  | { kind: "groupType"; value: string }
  | { kind: "flag"; property: "securityEnabled" | "mailEnabled"; value: boolean }
  | { kind: "equals"; property: "id" | "displayName"; value: string }
  | { kind: "startsWith"; property: "displayName"; value: string }
  | { kind: "idIn"; values: string[] };

/** The forms, as a reader would write them (error messages and docs). */
export const SUPPORTED_GROUP_FILTER_FORMS = [
  "groupTypes/any(c:c eq 'Unified')",
  "securityEnabled eq true|false",
  "mailEnabled eq true|false",
  "id eq '<id>'",
  "displayName eq '<name>'",
  "startswith(displayName,'<prefix>')",
  `id in ('<id>', … up to ${MAX_IN_VALUES})`,
] as const;

export class UnsupportedGroupFilterError extends Error {
  override readonly name = "UnsupportedGroupFilterError";
  constructor(
    message: string,
    /** The clause (or the whole filter) that is not supported. */
    readonly clause: string,
    /** Too many values in an `in` clause (Graph's own limit), rather than a form not supported. */
    readonly tooManyValues: number | null = null,
  ) {
    super(message);
  }
}

function unsupported(clause: string): UnsupportedGroupFilterError {
  return new UnsupportedGroupFilterError(`unsupported $filter clause '${clause}'`, clause);
}

/** Splits on `and` outside quotes and parentheses; refuses `or` (not supported). */
function splitClauses(filter: string): string[] {
  const clauses: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < filter.length; i++) {
    const char = filter[i];
    if (char === "'") quoted = !quoted;
    else if (!quoted && char === "(") depth++;
    else if (!quoted && char === ")") depth--;
    else if (!quoted && depth === 0 && /\s/.test(char ?? "")) {
      const rest = filter.slice(i);
      const match = /^\s+(and|or)\s+/i.exec(rest);
      if (match) {
        if ((match[1] as string).toLowerCase() === "or") throw unsupported(filter);
        clauses.push(filter.slice(start, i).trim());
        i += match[0].length - 1;
        start = i + 1;
      }
    }
  }
  clauses.push(filter.slice(start).trim());
  return clauses;
}

const literal = String.raw`'((?:[^']|'')*)'`;
const unquote = (text: string): string => text.replace(/''/g, "'");

function parseClause(clause: string): GroupFilterClause {
  let match = new RegExp(String.raw`^groupTypes/any\((\w+):\s*\1\s+eq\s+${literal}\)$`, "i").exec(clause);
  if (match) return { kind: "groupType", value: unquote(match[2] as string) };
  match = /^(securityEnabled|mailEnabled)\s+eq\s+(true|false)$/i.exec(clause);
  if (match) {
    return {
      kind: "flag",
      property: (match[1] as string).toLowerCase() === "securityenabled" ? "securityEnabled" : "mailEnabled",
      value: (match[2] as string).toLowerCase() === "true",
    };
  }
  match = new RegExp(String.raw`^(id|displayName)\s+eq\s+${literal}$`, "i").exec(clause);
  if (match) {
    return {
      kind: "equals",
      property: (match[1] as string).toLowerCase() === "id" ? "id" : "displayName",
      value: unquote(match[2] as string),
    };
  }
  match = new RegExp(String.raw`^startswith\(displayName,\s*${literal}\)$`, "i").exec(clause);
  if (match) return { kind: "startsWith", property: "displayName", value: unquote(match[1] as string) };
  match = /^id\s+in\s+\((.*)\)$/i.exec(clause);
  if (match) {
    const values = [...(match[1] as string).matchAll(new RegExp(`\\s*${literal}\\s*(,|$)`, "g"))].map(
      (each) => unquote(each[1] as string),
    );
    if (values.length === 0) throw unsupported(clause);
    if (values.length > MAX_IN_VALUES) {
      throw new UnsupportedGroupFilterError(
        `${values.length} values in one 'in' clause; Microsoft Graph allows ${MAX_IN_VALUES}`,
        clause,
        values.length,
      );
    }
    return { kind: "idIn", values };
  }
  throw unsupported(clause);
}

/** The clauses of a $filter value (ANDed); throws UnsupportedGroupFilterError on any other form. */
export function parseGroupFilterClauses(filter: string): GroupFilterClause[] {
  if (filter.trim() === "") return [];
  return splitClauses(filter.trim()).map(parseClause);
}

/** A string literal in a $filter (single quotes doubled). */
export function filterLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
