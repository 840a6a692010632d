// Obtains the Pulumi CLI once before the end-to-end tests (the first build takes a few minutes).
const { execFileSync } = require("child_process");
const path = require("path");

module.exports = async () => {
  const script = path.join(__dirname, "..", "..", "tools", "ensure-pulumi-cli.sh");
  const cli = execFileSync(script, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  process.env.ENTRA_WRITEBACK_PULUMI = cli;
};
