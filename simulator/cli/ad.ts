// entra-sim ad: the simulated Active Directory (list, OUs, the writeback ACE).
import { dnKey, isAtOrBelow } from "../../domain/dn";
import { OperationError } from "../../contract/errors";
import { callOperation } from "../admin";
import { readState } from "../transaction";
import { type CliCommand, dnArgument, meta, noExtraPositionals, UsageError } from "./args";

export const adCommand: CliCommand = {
  name: "ad",
  help: [
    "  ad <state> list <DN> [--json]",
    "  ad <state> new-ou <name> <parentDN>              create a protected OU",
    "  ad <state> delete-ou <DN> [--recursive]",
    "  ad <state> grant <DN> <accountDN>                add the writeback ACE",
    "  ad <state> revoke <DN> <accountDN>               remove the writeback ACE",
  ],
  options: {
    recursive: { type: "boolean" },
    json: { type: "boolean" },
  },
  async run({ file, values, positionals }, io) {
    const action = positionals[1];
    if (action === "list") {
      noExtraPositionals("ad list", positionals, 3);
      const dn = dnArgument("ad list: the DN", positionals[2]);
      const state = await readState(file);
      const key = dnKey(dn);
      if (!(key in state.domain.objects))
        throw new OperationError("ad", "NotFound", `no object ${dn} in ${state.domain.dnsName}`);
      const objects = Object.entries(state.domain.objects)
        .filter(([candidate]) => isAtOrBelow(candidate, key))
        .map(([, object]) => object)
        .sort((a, b) =>
          dnKey(a.dn)
            .split(",")
            .reverse()
            .join(",")
            .localeCompare(dnKey(b.dn).split(",").reverse().join(",")),
        );
      if (values.json === true) {
        io.out(JSON.stringify(objects, null, 2));
        return;
      }
      for (const object of objects) {
        const extra =
          object.objectClass === "group"
            ? ` ${object.groupScope} ${object.groupCategory}${object.adminDescription ? ` adminDescription=${object.adminDescription}` : ""}${object.externalDirectoryObjectId ? ` msDS-ExternalDirectoryObjectID=${object.externalDirectoryObjectId}` : ""}`
            : object.objectClass === "organizationalUnit"
              ? object.protectedFromAccidentalDeletion
                ? " protected"
                : ""
              : "";
        io.out(
          `${object.objectClass} ${object.dn}${extra}${object.aces.length > 0 ? ` (${object.aces.length} explicit ACEs)` : ""}`,
        );
      }
      return;
    }
    if (action === "new-ou") {
      noExtraPositionals("ad new-ou", positionals, 4);
      const name = positionals[2];
      if (name === undefined || name.trim() === "") throw new UsageError("ad new-ou: the OU name is missing");
      const parentDn = dnArgument("ad new-ou: the parent DN", positionals[3]);
      const ou = (await callOperation(file, "newOrganizationalUnit", { name, parentDn }, meta(values))) as {
        dn: string;
      };
      io.out(`created ${ou.dn}`);
      return;
    }
    if (action === "delete-ou") {
      noExtraPositionals("ad delete-ou", positionals, 3);
      const dn = dnArgument("ad delete-ou: the DN", positionals[2]);
      await callOperation(
        file,
        "removeOrganizationalUnit",
        { dn, recursive: values.recursive === true },
        meta(values),
      );
      io.out(`deleted ${dn}`);
      return;
    }
    if (action === "grant" || action === "revoke") {
      noExtraPositionals(`ad ${action}`, positionals, 4);
      const dn = dnArgument(`ad ${action}: the object DN`, positionals[2]);
      const accountDn = dnArgument(`ad ${action}: the account DN`, positionals[3]);
      if (action === "grant") {
        await callOperation(file, "grantWritebackAccess", { dn, accountDn }, meta(values));
        io.out(`granted the writeback ACE to ${accountDn} on ${dn}`);
      } else {
        const result = (await callOperation(
          file,
          "revokeWritebackAccess",
          { dn, accountDn },
          meta(values),
        )) as { removed: number };
        io.out(`removed ${result.removed} writeback ACE(s) of ${accountDn} on ${dn}`);
      }
      return;
    }
    throw new UsageError(
      `ad: the action must be list, delete-ou, grant or revoke, got ${JSON.stringify(action ?? "")}`,
    );
  },
};
