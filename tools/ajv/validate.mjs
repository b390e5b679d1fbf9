// Compile a JSON Schema with ajv 8 as JavaScript tools do (strict mode, ajv-formats),
// then validate JSON documents against it. tests/test_schema.py runs it.
//
//   node validate.mjs SCHEMA.json [--editor-keywords] [DOCUMENT.json ...]
//
// --editor-keywords declares the YAML language server's own keywords (patternErrorMessage),
// as a tool must for an editor-only schema. Prints {"results": [{"file", "valid", "errors"}]},
// or the compile error on stderr with exit status 1.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const [schemaFile, ...rest] = process.argv.slice(2);
const editor = rest.includes("--editor-keywords");
const documents = rest.filter((arg) => arg !== "--editor-keywords");

const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
if (editor) {
  ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
}

let validate;
try {
  validate = ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")));
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const results = documents.map((file) => {
  const valid = validate(JSON.parse(readFileSync(file, "utf8")));
  return { file, valid, errors: valid ? [] : validate.errors.map((e) => `${e.instancePath} ${e.message}`) };
});
console.log(JSON.stringify({ results }));
