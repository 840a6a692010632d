// The $filter forms the simulator answers on /groups (the grammar is graph/groupFilter.ts, shared with the
// providers), each clause ANDed. Anything else is refused as Graph refuses an unsupported query, so a client that
// sends a form we never modelled finds out in tests.
import {
  type GroupFilterClause,
  MAX_IN_VALUES,
  parseGroupFilterClauses,
  UnsupportedGroupFilterError,
} from "../../graph/groupFilter";
import type { CloudGroup } from "../model";
import { GraphHttpError } from "./errors";

export type GroupPredicate = (group: CloudGroup) => boolean;

export { MAX_IN_VALUES };

function predicate(clause: GroupFilterClause): GroupPredicate {
  switch (clause.kind) {
    case "groupType": {
      const type = clause.value.toLowerCase();
      return (group) => type === "unified" && group.type === "m365";
    }
    case "flag":
      return (group) => groupFlags(group)[clause.property] === clause.value;
    case "equals": {
      const value = clause.value.toLowerCase();
      if (clause.property === "id") return (group) => group.objectId === value;
      return (group) => group.displayName.toLowerCase() === value;
    }
    case "startsWith": {
      const prefix = clause.value.toLowerCase();
      return (group) => group.displayName.toLowerCase().startsWith(prefix);
    }
    case "idIn": {
      const ids = new Set(clause.values.map((value) => value.toLowerCase()));
      return (group) => ids.has(group.objectId);
    }
  }
}

/** A predicate for the $filter value; undefined or empty matches every group. */
export function parseGroupFilter(filter: string | null): GroupPredicate {
  if (filter === null || filter.trim() === "") return () => true;
  let clauses: GroupFilterClause[];
  try {
    clauses = parseGroupFilterClauses(filter);
  } catch (error) {
    if (!(error instanceof UnsupportedGroupFilterError)) throw error;
    throw new GraphHttpError(
      400,
      "Request_UnsupportedQuery",
      error.tooManyValues !== null
        ? `Too many child clauses specified in search filter expression containing 'OR' operators: ${error.tooManyValues}. Max allowed: ${MAX_IN_VALUES}.`
        : `Unsupported or invalid query filter clause specified: '${error.clause}'.`,
    );
  }
  const predicates = clauses.map(predicate);
  return (group) => predicates.every((each) => each(group));
}

/** securityEnabled and mailEnabled as Graph reports them for the two kinds of group the simulator models. */
export function groupFlags(group: CloudGroup): { securityEnabled: boolean; mailEnabled: boolean } {
  if (group.type === "m365") return { securityEnabled: false, mailEnabled: true };
  if (group.variant === "mailEnabledSecurity") return { securityEnabled: true, mailEnabled: true };
  if (group.variant === "distribution") return { securityEnabled: false, mailEnabled: true };
  return { securityEnabled: true, mailEnabled: false };
}
