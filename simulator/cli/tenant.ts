// entra-sim tenant: the simulated tenant's cloud groups.
import { z } from "zod";
import { addCloudGroup, runAction, updateCloudGroup } from "../admin";
import { type CliCommand, enumFlag, meta, noExtraPositionals, optionalString, UsageError } from "./args";

export const tenantCommand: CliCommand = {
  name: "tenant",
  help: [
    "  tenant <state> add-group --type m365|security [--name N] [--writeback true|false|unset]",
    "       [--on-premises-group-type universalDistributionGroup|universalSecurityGroup|universalMailEnabledSecurityGroup]",
    "  tenant <state> set-group <objectId> [--writeback true|false|unset] [--deleted none|soft|hard] [--name N]",
  ],
  options: {
    type: { type: "string" },
    name: { type: "string" },
    writeback: { type: "string" },
    deleted: { type: "string" },
    "on-premises-group-type": { type: "string" },
  },
  async run({ file, values, positionals }, io) {
    const action = positionals[1];
    const writeback = enumFlag(values, "writeback", ["true", "false", "unset"]);
    const name = optionalString(values, "name");
    if (action === "add-group") {
      noExtraPositionals("tenant add-group", positionals, 2);
      const type = enumFlag(values, "type", ["m365", "security"]);
      if (type === undefined) throw new UsageError("tenant add-group: --type m365|security is required");
      if (values.deleted !== undefined)
        throw new UsageError("tenant add-group: --deleted applies to set-group only");
      const onPremisesGroupType = enumFlag(values, "on-premises-group-type", [
        "universalDistributionGroup",
        "universalSecurityGroup",
        "universalMailEnabledSecurityGroup",
      ]);
      const input = {
        type,
        ...(name !== undefined ? { name } : {}),
        ...(writeback !== undefined ? { writeback } : {}),
        ...(onPremisesGroupType !== undefined ? { onPremisesGroupType } : {}),
      };
      const group = await runAction(file, "tenant.addGroup", input, meta(values), (tx) =>
        addCloudGroup(tx, input),
      );
      io.out(`${group.objectId} ${group.displayName}`);
      return;
    }
    if (action === "set-group") {
      noExtraPositionals("tenant set-group", positionals, 3);
      const objectId = positionals[2];
      if (objectId === undefined || !z.guid().safeParse(objectId).success) {
        throw new UsageError(
          `tenant set-group: the group's objectId must be a GUID, got ${JSON.stringify(objectId ?? "")}`,
        );
      }
      const deleted = enumFlag(values, "deleted", ["none", "soft", "hard"]);
      const change = {
        ...(writeback !== undefined
          ? { writeback: writeback === "unset" ? null : writeback === "true" }
          : {}),
        ...(deleted !== undefined ? { deleted } : {}),
        ...(name !== undefined ? { displayName: name } : {}),
      };
      const group = await runAction(file, "tenant.setGroup", { objectId, ...change }, meta(values), (tx) =>
        updateCloudGroup(tx, objectId, change),
      );
      io.out(
        `${group.objectId} ${group.displayName}: writeback ${String(group.writebackEnabled)}, deleted ${group.deleted}`,
      );
      return;
    }
    throw new UsageError(
      `tenant: the action must be add-group or set-group, got ${JSON.stringify(action ?? "")}`,
    );
  },
};
