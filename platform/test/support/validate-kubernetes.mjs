// Validates Kubernetes manifests against the API's JSON schemas, as the package kubernetes-models ships them
// (generated from Kubernetes' OpenAPI document): types, enums and required fields of every object.
//   node platform/test/support/validate-kubernetes.mjs <file.yaml>...   →   [{ file, kind, name, errors }] on stdout
// A program of its own because the package is ESM only, which Jest's CommonJS runtime cannot load.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const results = [];
for (const file of process.argv.slice(2)) {
  for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const object = document.toJS();
    if (!object) continue;
    const { apiVersion = '', kind = '' } = object;
    // core objects live under v1/, the others under <group>/<version>/
    const path = `kubernetes-models/${apiVersion}/${kind}`;
    const errors = document.errors.map((e) => e.message);
    try {
      const Model = (await import(path))[kind];
      if (!Model) throw new Error(`no model ${kind} in ${path}`);
      new Model(object).validate();
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
    results.push({ file, kind, name: object.metadata?.name, errors });
  }
}
console.log(JSON.stringify(results));
