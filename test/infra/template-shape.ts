/**
 * What a deployment is, independent of where its constructs sit: every resource by its construct path
 * below the payments constructs (`CallbackOk/Resource`, `PaymentsTable/Resource`), references between
 * them written as those paths, cross-stack references resolved to what they read, and the outputs a
 * merchant sees (those with a description) by description. Two deployments with the same shape create
 * the same resources with the same properties, whatever their logical IDs or stacks.
 */

type Json = unknown;

interface CfnTemplate {
  readonly Resources?: Record<string, { Type: string; Properties?: Json; DependsOn?: Json; Metadata?: Json }>;
  readonly Outputs?: Record<string, { Description?: string; Value: Json }>;
  readonly Parameters?: Record<string, Json>;
}

export interface TemplateShape {
  readonly resources: Record<string, Json>;
  readonly outputs: Record<string, Json>;
  readonly parameters: readonly string[];
}

/**
 * The shape of `templates` (by stack name) together. `roots` are the construct paths the payments
 * constructs sit at (`AltaPay-Api/Default/`, `Shop/Payments/Api/`): a resource's path below its root
 * names it; a resource outside every root keeps its whole path, so it shows in a failed comparison.
 */
export function templateShape(
  templates: Readonly<Record<string, CfnTemplate>>,
  roots: readonly string[],
): TemplateShape {
  // Logical ID → path, per stack.
  const paths = new Map<string, Map<string, string>>();
  for (const [stackName, template] of Object.entries(templates)) {
    const byId = new Map<string, string>();
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      const path = (resource.Metadata as Record<string, unknown> | undefined)?.['aws:cdk:path'];
      if (typeof path !== 'string') continue;
      const root = roots.find((prefix) => path.startsWith(prefix));
      byId.set(logicalId, root === undefined ? path : path.slice(root.length));
    }
    paths.set(stackName, byId);
  }

  const normalize = (value: Json, stackName: string): Json => {
    const byId = paths.get(stackName) ?? new Map<string, string>();
    if (Array.isArray(value)) return value.map((item) => normalize(item, stackName));
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, Json>;
    if (typeof record.Ref === 'string' && byId.has(record.Ref)) return { Ref: byId.get(record.Ref) };
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && byId.has(getAtt[0])) {
      return { 'Fn::GetAtt': [byId.get(getAtt[0]), getAtt[1]] };
    }
    const stackOutput = record['Fn::GetStackOutput'] as { StackName: string; OutputName: string } | undefined;
    if (stackOutput !== undefined) {
      const output = templates[stackOutput.StackName]?.Outputs?.[stackOutput.OutputName];
      if (output === undefined) throw new Error(`No output ${JSON.stringify(stackOutput)}`);
      return normalize(output.Value, stackOutput.StackName);
    }
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, normalize(item, stackName)]));
  };

  const resources: Record<string, Json> = {};
  const outputs: Record<string, Json> = {};
  const parameters = new Set<string>();
  for (const [stackName, template] of Object.entries(templates)) {
    const byId = paths.get(stackName) ?? new Map<string, string>();
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type === 'AWS::CDK::Metadata') continue;
      const path = byId.get(logicalId) ?? `${stackName}:${logicalId}`;
      const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
      resources[path] = {
        Type: resource.Type,
        Properties: normalize(resource.Properties, stackName),
        DependsOn: dependsOn.map((id) => byId.get(String(id)) ?? id).sort(),
      };
    }
    for (const output of Object.values(template.Outputs ?? {})) {
      if (output.Description === undefined) continue;
      outputs[output.Description] = normalize(output.Value, stackName);
    }
    for (const name of Object.keys(template.Parameters ?? {})) parameters.add(name);
  }
  return { resources, outputs, parameters: [...parameters].sort() };
}
