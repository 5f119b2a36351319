// Reads YAML files (every document of each) and prints one JSON report on stdout:
//   [{ "file", "index", "document", "kubernetes": true|false, "errors": [...] }]
// A document with apiVersion and kind is a Kubernetes object: it is checked against the JSON schema of its kind
// in kubernetes-models (generated from the OpenAPI of Kubernetes v1.36), and a kind it does not know is an error.
// Other documents (compose files, kustomizations) are only parsed; the C# tests check what they need of them.
// YAML merge keys (<<: *anchor) are resolved, as compose does.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const report = [];
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"), { merge: true });
  for (const [index, doc] of docs.entries()) {
    const errors = [...doc.errors, ...doc.warnings].map((e) => `YAML: ${e.message}`);
    const document = doc.toJS({ maxAliasCount: 100 });
    if (document === null || document === undefined) continue;
    const isKubernetes = typeof document === "object" && "apiVersion" in document && "kind" in document
      && !String(document.apiVersion).startsWith("kustomize.config.k8s.io/");
    if (isKubernetes) errors.push(...(await validate(document)));
    report.push({ file, index, document, kubernetes: isKubernetes, errors });
  }
}
process.stdout.write(JSON.stringify(report));

// The model class of apiVersion/kind ("v1" is the core group, at the package root), then its schema check.
async function validate(document) {
  const { apiVersion, kind } = document;
  let Model;
  try {
    ({ [kind]: Model } = await import(`kubernetes-models/${apiVersion}/${kind}`));
  } catch {
    return [`no schema for ${apiVersion} ${kind} in Kubernetes v1.36`];
  }
  if (!Model) return [`no schema for ${apiVersion} ${kind} in Kubernetes v1.36`];
  try {
    new Model(document).validate();
    return [];
  } catch (e) {
    return String(e.message).split("\n").map((line) => `schema: ${line}`);
  }
}
