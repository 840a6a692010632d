// What the resources of this deployment took charge of, so that a replacement never deletes what its
// successor adopted. The engine replaces create-before-delete: the new resource is created (adopting the OU or
// the ACE that is already there, when the replacement names the same object), then the old one is deleted. The
// engine runs every dynamic resource of a deployment in one provider process, so a claim made by the create
// is seen by the delete that follows it.
import type { Target } from "../../contract/target";
import { dnKey } from "../../domain/dn";

const claimed = new Set<string>();

function claimKey(kind: string, target: Target, dns: readonly string[]): string {
  return JSON.stringify([kind, target, ...dns.map((dn) => dnKey(dn))]);
}

/** A create or update adopted this object as it found it: it is now in charge of it. */
export function claim(kind: string, target: Target, ...dns: string[]): void {
  claimed.add(claimKey(kind, target, dns));
}

/** A resource of this deployment took charge of the same object: deleting the old one must leave it. */
export function isClaimed(kind: string, target: Target, ...dns: string[]): boolean {
  return claimed.has(claimKey(kind, target, dns));
}

/** Only for unit tests. */
export function clearClaimsForTests(): void {
  claimed.clear();
}
