// The $filter forms the simulator understands on /groups, each clause ANDed. Anything else is refused as Graph
// refuses an unsupported query, so a client that sends a form we never modelled finds out in tests.
import type { CloudGroup } from "../model";
import { GraphHttpError } from "./errors";

export type GroupPredicate = (group: CloudGroup) => boolean;

/** Graph refuses more values in one `in` clause (INFERRED from the directory's 15-clause OR limit; docs/simulator.md). */
export const MAX_IN_VALUES = 15;

function unsupported(clause: string): GraphHttpError {
  return new GraphHttpError(
    400,
    "Request_UnsupportedQuery",
    `Unsupported or invalid query filter clause specified: '${clause}'.`,
  );
}

/** Splits on `and` outside quotes and parentheses; refuses `or` and `not` (not modelled). */
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

function clausePredicate(clause: string): GroupPredicate {
  let match = new RegExp(String.raw`^groupTypes/any\((\w+):\s*\1\s+eq\s+${literal}\)$`, "i").exec(clause);
  if (match) {
    const type = unquote(match[2] as string).toLowerCase();
    return (group) => type === "unified" && group.type === "m365";
  }
  match = /^(securityEnabled|mailEnabled)\s+eq\s+(true|false)$/i.exec(clause);
  if (match) {
    const property =
      (match[1] as string).toLowerCase() === "securityenabled" ? "securityEnabled" : "mailEnabled";
    const wanted = (match[2] as string).toLowerCase() === "true";
    return (group) => groupFlags(group)[property] === wanted;
  }
  match = new RegExp(String.raw`^(id|displayName)\s+eq\s+${literal}$`, "i").exec(clause);
  if (match) {
    const value = unquote(match[2] as string);
    if ((match[1] as string).toLowerCase() === "id") return (group) => group.objectId === value.toLowerCase();
    return (group) => group.displayName.toLowerCase() === value.toLowerCase();
  }
  match = new RegExp(String.raw`^startswith\(displayName,\s*${literal}\)$`, "i").exec(clause);
  if (match) {
    const prefix = unquote(match[1] as string).toLowerCase();
    return (group) => group.displayName.toLowerCase().startsWith(prefix);
  }
  match = /^id\s+in\s+\((.*)\)$/i.exec(clause);
  if (match) {
    const values = [...(match[1] as string).matchAll(new RegExp(`\\s*${literal}\\s*(,|$)`, "g"))].map(
      (each) => unquote(each[1] as string).toLowerCase(),
    );
    if (values.length === 0) throw unsupported(clause);
    if (values.length > MAX_IN_VALUES) {
      throw new GraphHttpError(
        400,
        "Request_UnsupportedQuery",
        `Too many child clauses specified in search filter expression containing 'OR' operators: ${values.length}. Max allowed: ${MAX_IN_VALUES}.`,
      );
    }
    const ids = new Set(values);
    return (group) => ids.has(group.objectId);
  }
  throw unsupported(clause);
}

/** A predicate for the $filter value; undefined or empty matches every group. */
export function parseGroupFilter(filter: string | null): GroupPredicate {
  if (filter === null || filter.trim() === "") return () => true;
  const predicates = splitClauses(filter.trim()).map(clausePredicate);
  return (group) => predicates.every((predicate) => predicate(group));
}

/** securityEnabled and mailEnabled as Graph reports them for the two kinds of group the simulator models. */
export function groupFlags(group: CloudGroup): { securityEnabled: boolean; mailEnabled: boolean } {
  if (group.type === "m365") return { securityEnabled: false, mailEnabled: true };
  if (group.variant === "mailEnabledSecurity") return { securityEnabled: true, mailEnabled: true };
  if (group.variant === "distribution") return { securityEnabled: false, mailEnabled: true };
  return { securityEnabled: true, mailEnabled: false };
}
