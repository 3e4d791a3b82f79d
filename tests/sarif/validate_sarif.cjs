// Validates a SARIF log against the official SARIF 2.1.0 schema (the copy that
// @microsoft/sarif-multitool-linux carries) with Ajv. Exit 0 when valid, 1 with the errors on
// stderr when not, 2 on a usage error.
//   node validate_sarif.cjs NODE_MODULES FILE.sarif
"use strict";
const fs = require("fs");
const path = require("path");

const [modules, file] = process.argv.slice(2);
if (!modules || !file) {
  console.error("usage: validate_sarif.cjs NODE_MODULES FILE.sarif");
  process.exit(2);
}
const Ajv2020 = require(path.join(modules, "ajv/dist/2020")).default;
const addFormats = require(path.join(modules, "ajv-formats")).default;
const schema = JSON.parse(
  fs.readFileSync(path.join(modules, "@microsoft/sarif-multitool-linux/sarif-2.1.0.json"), "utf8"));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);
const log = JSON.parse(fs.readFileSync(file, "utf8"));
if (validate(log)) {
  console.log("valid SARIF 2.1.0");
  process.exit(0);
}
for (const error of validate.errors) console.error(`${error.instancePath || "/"}: ${error.message}`);
process.exit(1);
