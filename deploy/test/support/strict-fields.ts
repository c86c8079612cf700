/**
 * Unknown fields. The kubernetes-models validators accept properties they do not know, so a
 * misspelt field (readinesProbe) would pass them and be dropped or refused by the API server.
 * Here every rendered object becomes a TypeScript object literal typed with the kubernetes-models
 * interface of its kind; TypeScript's excess-property check then refuses any field the API does
 * not have, at any depth. KEDA and Prometheus Operator kinds get interfaces written from their
 * CRDs (the fields of keda.sh/v1alpha1 and monitoring.coreos.com/v1 that charts may set).
 */
import { join } from 'node:path';
import ts from 'typescript';
import type { KubeObject } from './helm';
import { deployDir } from './repo';

const CRD_TYPES = `
import type { IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import type { IHorizontalPodAutoscalerBehavior } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerBehavior';
interface ScaledObject {
  apiVersion: 'keda.sh/v1alpha1'; kind: 'ScaledObject'; metadata: IObjectMeta;
  spec: {
    scaleTargetRef: { apiVersion?: string; kind?: string; name: string; envSourceContainerName?: string };
    pollingInterval?: number; cooldownPeriod?: number; initialCooldownPeriod?: number; idleReplicaCount?: number;
    minReplicaCount?: number; maxReplicaCount?: number;
    fallback?: { failureThreshold: number; replicas: number };
    advanced?: { restoreToOriginalReplicaCount?: boolean; horizontalPodAutoscalerConfig?: { name?: string; behavior?: IHorizontalPodAutoscalerBehavior } };
    triggers: Array<{ type: string; name?: string; metadata: Record<string, string>; metricType?: 'AverageValue' | 'Value' | 'Utilization';
      useCachedMetrics?: boolean; authenticationRef?: { name: string; kind?: 'TriggerAuthentication' | 'ClusterTriggerAuthentication' } }>;
  };
}
interface TriggerAuthentication {
  apiVersion: 'keda.sh/v1alpha1'; kind: 'TriggerAuthentication'; metadata: IObjectMeta;
  spec: { secretTargetRef?: Array<{ parameter: string; name: string; key: string }>;
    env?: Array<{ parameter: string; name: string; containerName?: string }>; podIdentity?: { provider: string; identityId?: string } };
}
interface RelabelConfig { sourceLabels?: string[]; separator?: string; targetLabel?: string; regex?: string; modulus?: number; replacement?: string;
  action?: 'replace' | 'keep' | 'drop' | 'hashmod' | 'labelmap' | 'labeldrop' | 'labelkeep' | 'lowercase' | 'uppercase' | 'keepequal' | 'dropequal' }
interface ServiceMonitor {
  apiVersion: 'monitoring.coreos.com/v1'; kind: 'ServiceMonitor'; metadata: IObjectMeta;
  spec: { jobLabel?: string; targetLabels?: string[]; podTargetLabels?: string[]; sampleLimit?: number;
    selector: ILabelSelector; namespaceSelector?: { any?: boolean; matchNames?: string[] };
    endpoints: Array<{ port?: string; targetPort?: string | number; path?: string; scheme?: 'http' | 'https'; params?: Record<string, string[]>;
      interval?: string; scrapeTimeout?: string; honorLabels?: boolean; honorTimestamps?: boolean; followRedirects?: boolean;
      relabelings?: RelabelConfig[]; metricRelabelings?: RelabelConfig[] }> };
}
`;

const CRD_KINDS: Record<string, string> = {
  'keda.sh/v1alpha1/ScaledObject': 'ScaledObject',
  'keda.sh/v1alpha1/TriggerAuthentication': 'TriggerAuthentication',
  'monitoring.coreos.com/v1/ServiceMonitor': 'ServiceMonitor',
};

export interface FieldProblem {
  object: string;
  message: string;
}

/** Returns one problem per object that has a field its kind does not define (or a wrong type). */
export function unknownFields(objects: KubeObject[]): FieldProblem[] {
  const file = join(deployDir, '__strict_fields__.mts');
  const imports = new Map<string, string>();
  const lines: string[] = [];
  const names: string[] = [];
  objects.forEach((object, i) => {
    const id = `${object.apiVersion}/${object.kind}`;
    let type = CRD_KINDS[id];
    if (!type) {
      type = `I${object.kind}_${object.apiVersion.replace(/[^A-Za-z0-9]/g, '_')}`;
      imports.set(type, `import type { I${object.kind} as ${type} } from 'kubernetes-models/${object.apiVersion}/${object.kind}';`);
    }
    names.push(`${object.kind} ${object.metadata.name}`);
    lines.push(`export const o${i}: ${type} = ${JSON.stringify(object)};`);
  });
  const source = [CRD_TYPES, ...imports.values(), ...lines].join('\n');
  const firstObjectLine = source.split('\n').length - lines.length;

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === file ? ts.createSourceFile(name, source, languageVersion, true) : getSourceFile(name, languageVersion, ...rest);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const problems: FieldProblem[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file?.fileName !== file || d.start === undefined) {
      problems.push({ object: '(type setup)', message });
      continue;
    }
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    problems.push({ object: names[line - firstObjectLine] ?? '(type setup)', message });
  }
  return problems;
}
