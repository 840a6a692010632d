// Initial data for a new state file: a plausible tenant, domain and Entra Connect server, deterministic per seed.
import { z } from "zod";
import { toIso } from "./clock";
import { connectVersion } from "../contract/contract";
import { dnKey, domainDnFromDnsName, escapeDnValue } from "../domain/dn";
import type { AdObject, CloudGroup, Domain, Server, SimState } from "./model";
import { STATE_SCHEMA_VERSION } from "./model";
import { ALLOWED_SYNC_CYCLE_INTERVAL_SECONDS } from "./syncCycle";
import { builtInSyncRules } from "./syncRules";

const count = z.number().int().nonnegative();

export const initOptionsSchema = z
  .strictObject({
    domain: z
      .string()
      .regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, "a DNS domain name such as contoso.com")
      .default("contoso.com"),
    server: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,15}$/, "a computer name such as CONNECT01")
      .default("CONNECT01"),
    m365: count.default(10),
    m365OptedOut: count.default(2),
    security: count.default(4),
    securityEnabled: count.default(1),
    connectVersion: connectVersion.default("2.4.18.0"),
    era: z.enum(["legacy", "current"]).default("legacy"),
    syncSeconds: z.number().int().positive().default(40),
    clock: z.enum(["real", "simulated"]).default("real"),
    /** Start time of a simulated clock; default: the wall clock, to the second. */
    now: z.iso.datetime().optional(),
    seed: z.number().int().default(1),
    staging: z.boolean().default(false),
    /** Security groups Entra Connect syncs from Active Directory (mastered on-premises), after the cloud groups. */
    synced: count.default(0),
  })
  .refine((o) => o.m365OptedOut <= o.m365, {
    message: "--m365-opted-out cannot exceed --m365",
    path: ["m365OptedOut"],
  })
  .refine((o) => o.securityEnabled <= o.security, {
    message: "--security-enabled cannot exceed --security",
    path: ["securityEnabled"],
  });
export type InitOptions = z.input<typeof initOptionsSchema>;

/** A small deterministic generator (mulberry32), so the same seed gives the same objectIds. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomHex(random: () => number, length: number): string {
  let hex = "";
  while (hex.length < length) hex += Math.floor(random() * 16).toString(16);
  return hex;
}

/** A version-4 UUID from the seeded generator. */
export function seededUuid(random: () => number): string {
  const hex = randomHex(random, 32).split("");
  hex[12] = "4";
  hex[16] = "89ab"[Math.floor(random() * 4)] as string;
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Realistic names, including ones longer than 51 characters and ones that need DN escaping.
const M365_NAMES = [
  "Marketing Team",
  "Finance, Legal & Compliance",
  "Contoso Global Customer Success and Support Excellence Program 2025",
  "#general",
  "Sales + Marketing <EMEA>",
  'Project "Phoenix"',
  "R&D; Prototyping = Fun",
  "HR Business Partners",
  "IT Service Desk",
  "Executive Leadership Team",
  "Product Management",
  "Engineering All Hands",
  "Customer Advisory Board",
  "Facilities and Workplace Services for the Redmond and Seattle Campuses",
  "Procurement",
  "Brand Studio",
];
const SECURITY_NAMES = [
  "SG-FileShare-Finance-RW",
  "SG-VPN-Users",
  "SG-App-Payroll-Admins",
  "SG-Printers, Building 4",
  "SG-Intune-Pilot",
  "SG-Azure-Subscription-Owners",
];
const SYNCED_NAMES = ["GG-Sales-EMEA", "GG-Finance-Payroll", "GG-Helpdesk-Tier2", "GG-Building 4, Floor 2"];
const PROJECT_WORDS = [
  "Atlas",
  "Borealis",
  "Cobalt",
  "Delta",
  "Ember",
  "Fjord",
  "Granite",
  "Helix",
  "Iris",
  "Juniper",
];

function groupName(names: readonly string[], prefix: string, index: number): string {
  if (index < names.length) return names[index] as string;
  return `${prefix} ${PROJECT_WORDS[index % PROJECT_WORDS.length]} ${String(index).padStart(5, "0")}`;
}

/** Picks `k` distinct indexes out of `n`, deterministically. */
function pickIndexes(random: () => number, n: number, k: number): Set<number> {
  const indexes = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
  }
  return new Set(indexes.slice(0, k));
}

export function seedGroups(
  random: () => number,
  options: { m365: number; m365OptedOut: number; security: number; securityEnabled: number; synced?: number },
): CloudGroup[] {
  const groups: CloudGroup[] = [];
  const optedOut = pickIndexes(random, options.m365, options.m365OptedOut);
  for (let i = 0; i < options.m365; i++) {
    const group: CloudGroup = {
      objectId: seededUuid(random),
      displayName: groupName(M365_NAMES, "Team", i),
      type: "m365",
      writebackEnabled: optedOut.has(i) ? false : i % 3 === 0 ? true : null,
      deleted: "none",
    };
    // A few teams ask to become security groups on-premises (v2 honours onPremisesGroupType).
    if (!optedOut.has(i) && i % 7 === 6) group.onPremisesGroupType = "universalSecurityGroup";
    groups.push(group);
  }
  const enabled = pickIndexes(random, options.security, options.securityEnabled);
  for (let i = 0; i < options.security; i++) {
    groups.push({
      objectId: seededUuid(random),
      displayName: groupName(SECURITY_NAMES, "SG", i),
      type: "security",
      writebackEnabled: enabled.has(i) ? true : i % 2 === 0 ? null : false,
      deleted: "none",
    });
  }
  // Last, so the cloud groups of a seed keep their objectIds whatever the count.
  for (let i = 0; i < (options.synced ?? 0); i++) {
    groups.push({
      objectId: seededUuid(random),
      displayName: groupName(SYNCED_NAMES, "AD-Group", i),
      type: "security",
      writebackEnabled: null,
      deleted: "none",
      onPremisesSyncEnabled: true,
    });
  }
  return groups;
}

/** Where the seed puts the AD groups that Connect syncs to the tenant (inside the sync scope). */
export function syncedGroupsOu(rootDn: string): string {
  return `OU=Groups,OU=Corp,${rootDn}`;
}

/** The AD side of the synced groups: a global security group each, in syncedGroupsOu. */
function syncedAdGroups(groups: readonly CloudGroup[], rootDn: string): Domain["objects"] {
  const objects: AdObject[] = groups
    .filter((group) => group.onPremisesSyncEnabled === true)
    .map((group) => ({
      objectClass: "group",
      dn: `CN=${escapeDnValue(group.displayName)},${syncedGroupsOu(rootDn)}`,
      aces: [],
      displayName: group.displayName,
      groupCategory: "Security",
      groupScope: "Global",
      adminDescription: null,
    }));
  return Object.fromEntries(objects.map((object) => [dnKey(object.dn), object]));
}

function domainObjects(
  rootDn: string,
  connectorAccountDn: string,
  connectorAccountName: string,
): Domain["objects"] {
  const domainAdmins = `CN=Domain Admins,CN=Users,${rootDn}`;
  const objects: AdObject[] = [
    {
      objectClass: "domainDNS",
      dn: rootDn,
      aces: [
        {
          accountDn: domainAdmins,
          rights: ["GenericAll"],
          accessControlType: "Allow",
          inheritanceType: "All",
          inheritedObjectType: null,
        },
      ],
    },
    { objectClass: "container", dn: `CN=Users,${rootDn}`, aces: [] },
    {
      objectClass: "user",
      dn: `CN=Administrator,CN=Users,${rootDn}`,
      aces: [],
      samAccountName: "Administrator",
    },
    {
      objectClass: "group",
      dn: domainAdmins,
      aces: [],
      displayName: "Domain Admins",
      groupCategory: "Security",
      groupScope: "Global",
      adminDescription: null,
    },
    { objectClass: "user", dn: connectorAccountDn, aces: [], samAccountName: connectorAccountName },
    {
      objectClass: "organizationalUnit",
      dn: `OU=Corp,${rootDn}`,
      aces: [],
      protectedFromAccidentalDeletion: true,
    },
    {
      objectClass: "organizationalUnit",
      dn: `OU=Groups,OU=Corp,${rootDn}`,
      aces: [],
      protectedFromAccidentalDeletion: true,
    },
    {
      objectClass: "organizationalUnit",
      dn: `OU=Users,OU=Corp,${rootDn}`,
      aces: [],
      protectedFromAccidentalDeletion: true,
    },
    {
      objectClass: "organizationalUnit",
      dn: `OU=Excluded,${rootDn}`,
      aces: [],
      protectedFromAccidentalDeletion: true,
    },
  ];
  return Object.fromEntries(objects.map((object) => [dnKey(object.dn), object]));
}

export function connectorAccount(random: () => number, rootDn: string): { name: string; dn: string } {
  const name = `MSOL_${randomHex(random, 12)}`;
  return { name, dn: `CN=${name},CN=Users,${rootDn}` };
}

export function newServer(options: {
  name: string;
  connectVersion: string;
  staging: boolean;
  nowMs: number;
  domain: Domain;
  domainDnsName: string;
  connectorAccountDn: string;
}): Server {
  return {
    name: options.name,
    connectVersion: options.connectVersion,
    stagingModeEnabled: options.staging,
    schedulerSuspended: false,
    nextSyncCycleStartTime: toIso(options.nowMs + ALLOWED_SYNC_CYCLE_INTERVAL_SECONDS * 1000),
    fullSyncRequired: false,
    currentCycle: null,
    lastCycle: null,
    syncWindow: null,
    syncRules: builtInSyncRules(false),
    groupWriteback: {
      optionalFeatureGroupWriteBack: false,
      containerDn: null,
      displayNameDn: false,
      cleanupContainerDn: null,
    },
    adConnector: {
      name: options.domainDnsName,
      accountDn: options.connectorAccountDn,
      includedContainers: [options.domain.rootDn],
      excludedContainers: [`OU=Excluded,${options.domain.rootDn}`],
    },
    pendingExports: [],
    exportErrors: [],
  };
}

/** Builds a fresh state from validated options. */
export function buildInitialState(options: z.output<typeof initOptionsSchema>, wallNowMs: number): SimState {
  const random = seededRandom(options.seed);
  const rootDn = domainDnFromDnsName(options.domain);
  const account = connectorAccount(random, rootDn);
  const nowMs = options.now ? Date.parse(options.now) : Math.floor(wallNowMs / 1000) * 1000;
  const groups = seedGroups(random, options);
  const domain: Domain = {
    dnsName: options.domain.toLowerCase(),
    rootDn,
    objects: { ...domainObjects(rootDn, account.dn, account.name), ...syncedAdGroups(groups, rootDn) },
  };
  const tenantName = `${options.domain.split(".")[0]?.toLowerCase()}.onmicrosoft.com`;
  return {
    schemaVersion: STATE_SCHEMA_VERSION,
    clock: options.clock === "real" ? { mode: "real" } : { mode: "simulated", now: toIso(nowMs) },
    settings: { syncSeconds: options.syncSeconds, hangSeconds: 600 },
    tenant: {
      name: tenantName,
      era: options.era,
      features: {
        passwordHashSync: true,
        forcePasswordChangeOnLogOn: false,
        userWriteback: false,
        deviceWriteback: false,
        unifiedGroupWriteback: false,
        groupWritebackV2: false,
      },
      v2EverDisabled: false,
      scheduler: {
        syncCycleEnabled: true,
        maintenanceEnabled: true,
        customizedSyncCycleInterval: null,
        purgeRunHistoryInterval: "7.00:00:00",
      },
      groups,
    },
    domain,
    servers: [
      newServer({
        name: options.server,
        connectVersion: options.connectVersion,
        staging: options.staging,
        nowMs,
        domain,
        domainDnsName: domain.dnsName,
        connectorAccountDn: account.dn,
      }),
    ],
    faults: [],
  };
}

/** Where we suggest the writeback OU goes: a new OU inside the sync scope. */
export function suggestedWritebackOu(rootDn: string): string {
  return `OU=Entra Writeback,OU=Groups,OU=Corp,${rootDn}`;
}
