// What the resources of this deployment took charge of, so that a replacement never deletes what its
// successor adopted. The engine replaces create-before-delete: the new resource is created (adopting the OU or
// the ACE that is already there, when the replacement names the same object), then the old one is deleted. The
// engine runs every dynamic resource of a deployment in one provider process, so a claim made by the create
// is seen by the delete that follows it.
// The key is the object itself (its DNs, or the tenant-wide flag), not the target: a target respelt or repointed
// (host name case, transport, a swing migration to another server of the same forest) replaces the resource,
// and the old resource's delete must still see that its successor adopted the same OU, ACE or flag.
import { dnKey } from "../../domain/dn";

const claimed = new Set<string>();

function claimKey(kind: string, dns: readonly string[]): string {
  return JSON.stringify([kind, ...dns.map((dn) => dnKey(dn))]);
}

/** A create or update adopted this object as it found it: it is now in charge of it. */
export function claim(kind: string, ...dns: string[]): void {
  claimed.add(claimKey(kind, dns));
}

/** A resource of this deployment took charge of the same object: deleting the old one must leave it. */
export function isClaimed(kind: string, ...dns: string[]): boolean {
  return claimed.has(claimKey(kind, dns));
}

/** Only for unit tests. */
export function clearClaimsForTests(): void {
  claimed.clear();
}
