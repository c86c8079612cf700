// @ts-check
/**
 * Validates Kubernetes objects against the API schemas of the kubernetes-models package (types,
 * formats, required fields, enums of Kubernetes 1.3x). A child process because the package is ESM
 * only and Jest runs the tests as CommonJS.
 *   stdin:  a JSON array of objects
 *   stdout: a JSON array of { kind, name, errors: string[] }, one per object
 * Kinds outside the core API (KEDA, Prometheus Operator) are checked by strict-fields.ts instead
 * and are reported here with errors: [] and model: null.
 */
import { readFileSync } from 'node:fs';

const CRDS = new Set(['keda.sh/v1alpha1/ScaledObject', 'keda.sh/v1alpha1/TriggerAuthentication', 'monitoring.coreos.com/v1/ServiceMonitor']);

const input = JSON.parse(readFileSync(0, 'utf8'));
const out = [];
for (const object of input) {
  const id = `${object.apiVersion}/${object.kind}`;
  const name = object.metadata?.name ?? '(no name)';
  if (CRDS.has(id)) {
    out.push({ kind: object.kind, name, model: null, errors: [] });
    continue;
  }
  let Model;
  try {
    Model = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`))[object.kind];
  } catch {
    out.push({ kind: object.kind, name, model: null, errors: [`no kubernetes-models model for ${id}`] });
    continue;
  }
  try {
    new Model(object).validate();
    out.push({ kind: object.kind, name, model: id, errors: [] });
  } catch (error) {
    out.push({ kind: object.kind, name, model: id, errors: [error instanceof Error ? error.message : String(error)] });
  }
}
process.stdout.write(JSON.stringify(out));
