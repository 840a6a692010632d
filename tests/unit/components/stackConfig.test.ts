import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "../../../components/stackConfig";

function configWith(values: Record<string, string>): pulumi.Config {
  return { get: (key: string) => values[key] } as unknown as pulumi.Config;
}

const valid = {
  target: JSON.stringify({ kind: "simulator", stateFile: ".lab/lab.json" }),
  writebackOu: "OU=Entra Writeback,OU=Groups,OU=Corp,DC=contoso,DC=com",
  connectorAccountDn: "CN=MSOL_a08ff49b6f77,CN=Users,DC=contoso,DC=com",
};

test("fills the documented defaults", () => {
  expect(readStackConfig(configWith(valid))).toEqual({
    target: { kind: "simulator", stateFile: ".lab/lab.json" },
    writebackOu: valid.writebackOu,
    connectorAccountDn: valid.connectorAccountDn,
    dnFormat: "objectId",
    groupWritebackV2: "enable",
    role: "active",
    permissions: "ou",
    syncIdleTimeoutSeconds: 600,
    wizardWaitSeconds: 0,
    wizardPollSeconds: 10,
    allowNonEmptyOuDeletion: false,
    disableV2OnDestroy: false,
    acknowledgedOptedOutGroups: 0,
  });
});

test("reads numbers, booleans and a remote target", () => {
  const args = readStackConfig(
    configWith({
      ...valid,
      target: JSON.stringify({
        kind: "remote",
        computerName: "connect01.contoso.com",
        username: "CONTOSO\\svc-gwb",
      }),
      wizardWaitSeconds: "900",
      allowNonEmptyOuDeletion: "true",
      role: "staging",
    }),
  );
  expect(args.target).toEqual({
    kind: "remote",
    computerName: "connect01.contoso.com",
    username: "CONTOSO\\svc-gwb",
    transport: "wsman",
  });
  expect(args).toMatchObject({ wizardWaitSeconds: 900, allowNonEmptyOuDeletion: true, role: "staging" });
});

test("names every wrong key and says how to fix it", () => {
  const attempt = () =>
    readStackConfig(
      configWith({
        ...valid,
        writebackOu: "Entra Writeback",
        groupWritebackV2: "maybe",
        target: '{"kind":"cloud"}',
      }),
    );
  expect(attempt).toThrow(/entra-writeback:target/);
  expect(attempt).toThrow(/entra-writeback:writebackOu: must be a distinguished name/);
  expect(attempt).toThrow(/entra-writeback:groupWritebackV2/);
  expect(attempt).toThrow(/pulumi config set entra-writeback:<key>/);
});

test("a missing required key is named", () => {
  expect(() => readStackConfig(configWith({ target: valid.target }))).toThrow(/entra-writeback:writebackOu/);
});
