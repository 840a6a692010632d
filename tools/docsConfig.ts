// npm run docs:config: regenerates the key table of docs/configuration.md from the schemas
// (components/configDocs.ts). With --check, only says whether the file is up to date (exit code 1 if not).
import * as fs from "node:fs";
import * as path from "node:path";
import { withConfigurationTable } from "../components/configDocs";

// ENTRA_WRITEBACK_DOCS_DIR: another docs folder (the tests use a copy).
const docs = process.env.ENTRA_WRITEBACK_DOCS_DIR ?? path.resolve(__dirname, "..", "..", "docs");
const file = path.join(docs, "configuration.md");
const current = fs.readFileSync(file, "utf8");
const generated = withConfigurationTable(current);
if (process.argv.includes("--check")) {
  if (generated !== current) {
    console.error("docs/configuration.md is out of date: run `npm run docs:config`.");
    process.exitCode = 1;
  }
} else if (generated !== current) {
  fs.writeFileSync(file, generated);
  console.log("docs/configuration.md: key table regenerated");
} else {
  console.log("docs/configuration.md: up to date");
}
