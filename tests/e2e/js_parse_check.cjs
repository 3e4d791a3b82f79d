// Parses JavaScript and TypeScript files with two parsers that are not telinject's: TypeScript's
// (every file) and V8's own (JavaScript: CommonJS files as a function body, ES modules as a
// module). Prints one JSON object: file -> number of syntax errors found.
// Usage: node --experimental-vm-modules js_parse_check.cjs TYPESCRIPT_DIR LIST_FILE
'use strict';
const fs = require('fs');
const vm = require('vm');
const ts = require(process.argv[2]);

const files = fs.readFileSync(process.argv[3], 'utf8').split('\n').filter(Boolean);
const kinds = {
  '.ts': ts.ScriptKind.TS, '.mts': ts.ScriptKind.TS, '.cts': ts.ScriptKind.TS,
  '.tsx': ts.ScriptKind.TSX, '.jsx': ts.ScriptKind.JSX,
};
const result = {};
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  const dot = file.lastIndexOf('.');
  const extension = file.slice(dot);
  const kind = kinds[extension] || ts.ScriptKind.JS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  let errors = source.parseDiagnostics.length;
  if (kind === ts.ScriptKind.JS) {
    const body = text.startsWith('#!') ? '//' + text.slice(2) : text;
    const module = extension === '.mjs' || source.externalModuleIndicator !== undefined;
    try {
      if (module) new vm.SourceTextModule(body, { identifier: file });
      else vm.compileFunction(body, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
    } catch (error) {
      if (error instanceof SyntaxError) errors += 1;
    }
  }
  result[file] = errors;
}
process.stdout.write(JSON.stringify(result));
