// The simulated AD domain: object lookup by DN, the tree, and access control entries.
import { type AccessRule, type ActiveDirectoryRight, WRITEBACK_ACCESS_RULE } from "../contract/contract";
import { dnKey, isAtOrBelow, parentKey } from "../domain/dn";
import { objectIndex } from "./lazyState";
import type { Ace, AdGroup, AdObject, Domain } from "./model";
import { objectIdFromAnchor } from "./writebackRules";

export function findObject(domain: Domain, dn: string): AdObject | undefined {
  return domain.objects[dnKey(dn)];
}

export function putObject(domain: Domain, object: AdObject): void {
  domain.objects[dnKey(object.dn)] = object;
}

/** Keys of the objects directly below the key (the database's index on a transaction's state). */
export function childKeys(domain: Domain, key: string): string[] {
  const index = objectIndex(domain.objects);
  if (index) return index.childKeys(key);
  const suffix = `,${key}`;
  return Object.keys(domain.objects).filter(
    (candidate) => candidate.endsWith(suffix) && parentKey(candidate) === key,
  );
}

/** Keys of the object and everything below it. */
export function subtreeKeys(domain: Domain, key: string): string[] {
  const index = objectIndex(domain.objects);
  if (index) return index.subtreeKeys(key);
  return Object.keys(domain.objects).filter((candidate) => isAtOrBelow(candidate, key));
}

/**
 * Every group carrying a cloud anchor (Group_<objectId>), by key: the groups Entra Connect wrote back.
 * Read-only (streamed from the database on a transaction's state): change an object through domain.objects.
 */
export function anchoredGroups(domain: Domain): Iterable<[string, AdGroup]> {
  const index = objectIndex(domain.objects);
  if (index) return index.anchoredGroups();
  return Object.entries(domain.objects).filter(
    (entry): entry is [string, AdGroup] =>
      entry[1].objectClass === "group" && objectIdFromAnchor(entry[1].adminDescription) !== null,
  );
}

/** True when the DN lies inside the AD connector's OU filtering (included and not excluded). */
export function isInSyncScope(dn: string, included: readonly string[], excluded: readonly string[]): boolean {
  const key = dnKey(dn);
  return (
    included.some((container) => isAtOrBelow(key, dnKey(container))) &&
    !excluded.some((container) => isAtOrBelow(key, dnKey(container)))
  );
}

function sortRights(rights: readonly ActiveDirectoryRight[]): ActiveDirectoryRight[] {
  return [...new Set(rights)].sort();
}

function toAccessRule(ace: Ace, isInherited: boolean): AccessRule {
  return {
    rights: sortRights(ace.rights),
    accessControlType: ace.accessControlType,
    inheritanceType: ace.inheritanceType,
    inheritedObjectType: ace.inheritedObjectType,
    isInherited,
  };
}

/** Whether an ACE set on an ancestor `depth` levels up reaches the object. */
function reachesDescendant(ace: Ace, depth: number): boolean {
  switch (ace.inheritanceType) {
    case "None":
      return false;
    case "All":
    case "Descendents":
      return true;
    case "Children":
    case "SelfAndChildren":
      return depth === 1;
  }
}

function sameAccount(a: string, b: string): boolean {
  return dnKey(a) === dnKey(b);
}

/** The ACEs an account holds on an object: explicit ones first, then inherited ones, nearest ancestor first. */
export function accessRulesFor(domain: Domain, dn: string, accountDn: string): AccessRule[] {
  const key = dnKey(dn);
  const object = domain.objects[key];
  if (!object) return [];
  const rules = object.aces
    .filter((ace) => sameAccount(ace.accountDn, accountDn))
    .map((ace) => toAccessRule(ace, false));
  let depth = 0;
  for (let ancestor = parentKey(key); ancestor !== null; ancestor = parentKey(ancestor)) {
    depth++;
    const holder = domain.objects[ancestor];
    if (!holder) continue;
    for (const ace of holder.aces) {
      if (sameAccount(ace.accountDn, accountDn) && reachesDescendant(ace, depth))
        rules.push(toAccessRule(ace, true));
    }
  }
  return rules;
}

function isWritebackAce(ace: Ace, accountDn: string): boolean {
  const rule = toAccessRule(ace, false);
  return (
    sameAccount(ace.accountDn, accountDn) &&
    rule.accessControlType === WRITEBACK_ACCESS_RULE.accessControlType &&
    rule.inheritanceType === WRITEBACK_ACCESS_RULE.inheritanceType &&
    rule.inheritedObjectType === WRITEBACK_ACCESS_RULE.inheritedObjectType &&
    rule.rights.join(",") === WRITEBACK_ACCESS_RULE.rights.join(",")
  );
}

/** Adds the writeback ACE for the account unless the object already holds it; returns whether it added one. */
export function addWritebackAce(object: AdObject, accountDn: string): boolean {
  if (object.aces.some((ace) => isWritebackAce(ace, accountDn))) return false;
  object.aces.push({
    accountDn,
    rights: [...WRITEBACK_ACCESS_RULE.rights],
    accessControlType: WRITEBACK_ACCESS_RULE.accessControlType,
    inheritanceType: WRITEBACK_ACCESS_RULE.inheritanceType,
    inheritedObjectType: WRITEBACK_ACCESS_RULE.inheritedObjectType,
  });
  return true;
}

/** Removes exactly the writeback ACEs of the account; returns how many it removed. */
export function removeWritebackAces(object: AdObject, accountDn: string): number {
  const before = object.aces.length;
  object.aces = object.aces.filter((ace) => !isWritebackAce(ace, accountDn));
  return before - object.aces.length;
}

export interface GroupExportRights {
  /** Create and update group objects in the container (CreateChild + GenericWrite). */
  write: boolean;
  /** Delete group objects in the container (Delete or DeleteChild). */
  delete: boolean;
}

/**
 * What the account may do with group objects directly below the container. Simplified from AD: every
 * allow ACE the account holds on the container (explicit or inherited) counts when it targets all objects
 * or group objects; deny ACEs take precedence.
 */
export function groupExportRights(domain: Domain, containerDn: string, accountDn: string): GroupExportRights {
  const allowed = new Set<ActiveDirectoryRight>();
  const denied = new Set<ActiveDirectoryRight>();
  for (const rule of accessRulesFor(domain, containerDn, accountDn)) {
    if (rule.inheritedObjectType !== null && rule.inheritedObjectType.toLowerCase() !== "group") continue;
    const rights = rule.rights.includes("GenericAll")
      ? (["CreateChild", "GenericWrite", "Delete", "DeleteChild"] as const)
      : rule.rights;
    for (const right of rights) (rule.accessControlType === "Allow" ? allowed : denied).add(right);
  }
  const has = (right: ActiveDirectoryRight): boolean => allowed.has(right) && !denied.has(right);
  return {
    write: has("CreateChild") && has("GenericWrite"),
    delete: has("Delete") || has("DeleteChild"),
  };
}
