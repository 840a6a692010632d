// npm run pulumi -- <args>: the Pulumi CLI for this project (see tools/pulumiCli.ts), with the terminal attached.
import { spawnSync } from "node:child_process";
import { ensurePulumiCli, projectRoot, pulumiEnvironment } from "./pulumiCli";

const result = spawnSync(ensurePulumiCli(), process.argv.slice(2), {
  cwd: projectRoot,
  env: pulumiEnvironment(projectRoot),
  stdio: "inherit",
});
if (result.error) {
  console.error(`pulumi: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
