// The shapes of the Graph responses the project consumes, checked with zod where they enter.
import { z } from "zod";

export const onPremisesGroupType = z.enum([
  "universalDistributionGroup",
  "universalSecurityGroup",
  "universalMailEnabledSecurityGroup",
]);

export const writebackConfiguration = z.object({
  isEnabled: z.boolean().nullable(),
  onPremisesGroupType: onPremisesGroupType.nullable(),
});

/** A group as /groups returns it; only id is always there (the rest depends on $select). */
export const graphGroup = z.object({
  id: z.guid(),
  displayName: z.string().nullable().optional(),
  groupTypes: z.array(z.string()).optional(),
  securityEnabled: z.boolean().nullable().optional(),
  mailEnabled: z.boolean().nullable().optional(),
  onPremisesSyncEnabled: z.boolean().nullable().optional(),
  /** beta only. */
  writebackConfiguration: writebackConfiguration.nullable().optional(),
});
export type GraphGroup = z.infer<typeof graphGroup>;

/**
 * The answer to a `/$count` URL segment: Graph sends the bare number as text/plain, not JSON (the Graph client
 * library hands text/plain bodies over as strings). https://learn.microsoft.com/graph/api/group-list?view=graph-rest-1.0,
 * example "Get only a count of groups".
 */
export const countText = z
  .string()
  .regex(/^\s*\d+\s*$/, "expected the count as text/plain, a whole number")
  .transform((text) => Number(text.trim()));

export function collectionPage<T extends z.ZodType>(item: T) {
  return z.object({
    value: z.array(item),
    "@odata.nextLink": z.url().optional(),
  });
}

export const settingValue = z.object({ name: z.string(), value: z.string().nullable() });

export const directorySettingTemplate = z.object({
  id: z.guid(),
  displayName: z.string(),
  values: z.array(
    z.object({
      name: z.string(),
      type: z.string().optional(),
      defaultValue: z.string().nullable().optional(),
    }),
  ),
});
export type DirectorySettingTemplate = z.infer<typeof directorySettingTemplate>;

export const directorySetting = z.object({
  id: z.guid(),
  displayName: z.string().nullable().optional(),
  templateId: z.guid(),
  values: z.array(settingValue),
});
export type DirectorySetting = z.infer<typeof directorySetting>;
