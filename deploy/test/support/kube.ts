/** Finding, typing and validating rendered objects. */
import { execFileSync } from 'node:child_process';
import { BlockList, isIPv6 } from 'node:net';
import { join } from 'node:path';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { KubeObject } from './helm';
import { deployDir, type AppName } from './repo';

/** The value, or a failure naming what was missing. */
export function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`missing: ${what}`);
  return value;
}

export function ofKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function one(objects: KubeObject[], kind: string): KubeObject {
  const found = ofKind(objects, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}: ${found.map((o) => o.metadata.name).join(', ')}`);
  return found[0] as KubeObject;
}

/** The Deployment of one app, in the render of its own chart or of the umbrella. */
export function deploymentOf(objects: KubeObject[], app: AppName): KubeObject {
  const found = ofKind(objects, 'Deployment').filter((d) => d.metadata.labels?.['app.kubernetes.io/name'] === app);
  if (found.length !== 1) throw new Error(`expected one Deployment of ${app}, found ${found.length}`);
  return found[0] as KubeObject;
}

export function podSpec(workload: KubeObject): IPodSpec {
  const spec = workload.spec?.template?.spec as IPodSpec | undefined;
  if (!spec) throw new Error(`${workload.kind} ${workload.metadata.name} has no pod template`);
  return spec;
}

export function mainContainer(workload: KubeObject): IContainer {
  const container = podSpec(workload).containers[0];
  if (!container) throw new Error(`${workload.kind} ${workload.metadata.name} has no container`);
  return container;
}

export function env(container: IContainer): Map<string, IEnvVar> {
  return new Map((container.env ?? []).map((e) => [e.name, e]));
}

export function envValue(container: IContainer, name: string): string | undefined {
  return env(container).get(name)?.value;
}

export interface ValidationResult {
  kind: string;
  name: string;
  model: string | null;
  errors: string[];
}

/** Validates objects with kubernetes-models (in a child process: the package is ESM only). */
export function validateObjects(objects: KubeObject[]): ValidationResult[] {
  const out = execFileSync(process.execPath, [join(deployDir, 'test', 'support', 'validate-manifests.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
    cwd: deployDir,
  });
  return JSON.parse(out) as ValidationResult[];
}

/** Every label of `selector` is on `labels`. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** A NetworkPolicy egress peer and rule, as the tests read them. */
export interface EgressPeer {
  ipBlock?: { cidr: string; except?: string[] };
  namespaceSelector?: object;
  podSelector?: object;
}
export interface EgressRule {
  to?: EgressPeer[];
  ports?: Array<{ port?: number | string; protocol?: string; endPort?: number }>;
}

/** Whether `cidr` holds `address` (false across families); Node's net.BlockList decides. */
export function cidrHolds(cidr: string, address: string): boolean {
  const [net = '', bits = ''] = cidr.split('/');
  const family = isIPv6(net) ? 'ipv6' : 'ipv4';
  if (family !== (isIPv6(address) ? 'ipv6' : 'ipv4')) return false;
  const list = new BlockList();
  list.addSubnet(net, Number(bits), family);
  return list.check(address, family);
}
