// GroupWritebackOptOut: writebackConfiguration.isEnabled = false on existing Microsoft 365 groups, Microsoft's
// second step of "Modify Microsoft Entra Connect group writeback default behavior" (the tenant default changes only
// groups created afterwards). Named groups can be kept (or put back) in writeback with keepEnabled.
import { z } from "zod";
import {
  parseGroupFilterClauses,
  SUPPORTED_GROUP_FILTER_FORMS,
  UnsupportedGroupFilterError,
} from "../../graph/groupFilter";
import { defineResource } from "../common/defineResource";
import { commonInputs } from "../common/inputs";
import { preflightInputs } from "../common/preflight";

/** How many ids a report lists of each set (the count is always whole). */
export const SAMPLE_SIZE = 10;

const groupId = z.guid({ message: "a group object id (GUID)" }).transform((id) => id.toLowerCase());

/** A $filter on /groups in the forms graph/groupFilter.ts knows; anything else is refused before any request. */
export const optOutFilter = z
  .string()
  .trim()
  .min(1)
  .superRefine((filter, ctx) => {
    try {
      parseGroupFilterClauses(filter);
    } catch (error) {
      if (!(error instanceof UnsupportedGroupFilterError)) throw error;
      ctx.addIssue({
        code: "custom",
        message:
          `${error.message}: GroupWritebackOptOut sends only these $filter forms, joined with 'and': ` +
          `${SUPPORTED_GROUP_FILTER_FORMS.join("; ")}. For other selections list the ids (groups: {ids: [...]}).`,
      });
    }
  });

/** Which existing groups are opted out: every Microsoft 365 group, a list of ids, or a $filter. */
export const optOutSelection = z.union([
  z.literal("all"),
  z.strictObject({ ids: z.array(groupId).min(1) }),
  z.strictObject({ filter: optOutFilter }),
]);
export type OptOutSelection = z.output<typeof optOutSelection>;
export type OptOutSelectionInput = z.input<typeof optOutSelection>;

export const groupWritebackOptOutInputs = z
  .strictObject({
    providerVersion: commonInputs.providerVersion,
    /** "all" (every Microsoft 365 group), {ids: [...]} or {filter: "<$filter>"}. */
    groups: optOutSelection,
    /** Groups kept in writeback: never opted out, and set to isEnabled = true when they are not. */
    keepEnabled: z.array(groupId).default([]),
    /** On destroy: `retain` leaves the opt-outs; `reEnable` sets isEnabled = true on the selection's opted-out groups. */
    onDelete: z.enum(["retain", "reEnable"]).default("retain"),
    /** Groups per page of /groups (Graph's $top, 1..999). */
    pageSize: z.number().int().min(1).max(999).default(999),
    /** PATCH requests in flight at once within a page (1..16). */
    concurrency: z.number().int().min(1).max(16).default(4),
    /** The Entra Connect server whose checks must pass before the tenant is changed (the component sets it). */
    target: commonInputs.target.optional(),
    /** The OU and connector account the later resources use: checked live before the first write. */
    preflight: preflightInputs.optional(),
  })
  .superRefine((inputs, ctx) => {
    if (typeof inputs.groups === "object" && "ids" in inputs.groups) {
      const kept = new Set(inputs.keepEnabled);
      const both = inputs.groups.ids.filter((id) => kept.has(id));
      if (both.length > 0) {
        ctx.addIssue({
          code: "custom",
          path: ["keepEnabled"],
          message: `${both.join(", ")} ${both.length === 1 ? "is" : "are"} both in groups.ids and keepEnabled: a group is opted out or kept, not both`,
        });
      }
    }
  });
export type GroupWritebackOptOutInputs = z.output<typeof groupWritebackOptOutInputs>;

/** A set of groups: how many, and the first few ids. */
export const groupSet = z.strictObject({ count: z.number().int(), sample: z.array(z.string()) });
export type GroupSet = z.output<typeof groupSet>;

export const optOutReport = z.strictObject({
  /** Groups the selection returned (the ids found, for an id list). */
  selected: z.number().int(),
  /** PATCHed to isEnabled = false by the last create or update. */
  optedOut: groupSet,
  /** Already isEnabled = false: not written. */
  alreadyOptedOut: groupSet,
  /** Skipped: mastered on-premises (onPremisesSyncEnabled): their writeback is not Entra's to set. */
  skippedOnPremises: groupSet,
  /** Skipped: not Microsoft 365 groups (security groups are written back only when enabled one by one). */
  skippedNotMicrosoft365: groupSet,
  /** Ids (groups.ids or keepEnabled) Graph does not know. */
  notFound: groupSet,
  /** keepEnabled groups PATCHed to isEnabled = true by the last create or update. */
  reEnabled: groupSet,
  /** keepEnabled groups already isEnabled = true. */
  keptEnabled: groupSet,
  /** Pages of /groups read. */
  pages: z.number().int(),
});
export type OptOutReport = z.output<typeof optOutReport>;

export const groupWritebackOptOutOutputs = groupWritebackOptOutInputs.safeExtend({
  report: optOutReport,
  /**
   * Groups of the selection written back again (isEnabled not false), or keepEnabled groups opted out, found by
   * read (refresh); empty after create and update.
   */
  drifted: groupSet,
});
export type GroupWritebackOptOutOutputs = z.output<typeof groupWritebackOptOutOutputs>;

export const groupWritebackOptOut = defineResource(
  "GroupWritebackOptOut",
  groupWritebackOptOutInputs,
  groupWritebackOptOutOutputs,
);
