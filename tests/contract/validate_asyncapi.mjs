// Validates an AsyncAPI document with the official AsyncAPI parser (the JSON Schema of the
// specification plus its Spectral rules) and prints every diagnostic as JSON on stdout.
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const source = readFileSync(process.argv[2], "utf8");
const diagnostics = await new Parser().validate(source);
console.log(
  JSON.stringify(
    diagnostics.map(({ code, message, path, severity }) => ({ code, message, path, severity })),
  ),
);
