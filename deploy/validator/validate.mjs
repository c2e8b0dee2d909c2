// Validates Kubernetes manifests offline: each document against the schema of its kind (Kubernetes' own, and KEDA's
// CRDs, as the npm packages kubernetes-models and @kubernetes-models/keda ship them), then the rules Pipeline relies
// on (probe paths, grace periods, GPU resources, references between objects).
// Usage: node validate.mjs <kustomization folder or manifest file>...; exit code 1 on any problem.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const problems = [];
const documents = [];

for (const target of process.argv.slice(2)) {
  if (statSync(target).isDirectory()) {
    const kustomization = parse(join(target, "kustomization.yaml"))[0]?.doc ?? {};
    if (!Array.isArray(kustomization.resources) || kustomization.resources.length === 0) {
      problems.push(`${target}/kustomization.yaml: no resources listed`);
    }
    for (const resource of kustomization.resources ?? []) {
      documents.push(...parse(join(target, resource)));
    }
  } else {
    documents.push(...parse(target));
  }
}

for (const { file, doc } of documents) {
  await checkSchema(file, doc);
}
checkPipelineRules(documents);

if (problems.length > 0) {
  for (const problem of problems) console.error(`invalid: ${problem}`);
  process.exit(1);
}
console.log(`valid: ${documents.length} objects (${documents.map(d => `${d.doc.kind}/${d.doc.metadata?.name}`).join(", ")})`);

function parse(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    problems.push(`${file}: cannot be read (${e.code})`);
    return [];
  }
  const parsed = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      problems.push(`${file}: not valid YAML: ${document.errors[0].message}`);
      continue;
    }
    const doc = document.toJS();
    if (doc !== null && doc !== undefined) parsed.push({ file, doc });
  }
  return parsed;
}

async function checkSchema(file, doc) {
  const where = `${file}: ${doc?.kind ?? "?"}/${doc?.metadata?.name ?? "?"}`;
  if (typeof doc?.apiVersion !== "string" || typeof doc?.kind !== "string") {
    problems.push(`${where}: apiVersion and kind are required`);
    return;
  }
  const module = doc.apiVersion.startsWith("keda.sh/")
    ? `@kubernetes-models/keda/${doc.apiVersion}/${doc.kind}`
    : `kubernetes-models/${doc.apiVersion}/${doc.kind}`;
  let model;
  try {
    model = (await import(module))[doc.kind];
  } catch {
    problems.push(`${where}: no schema for ${doc.apiVersion} ${doc.kind} (a typo, or a kind this validator does not know)`);
    return;
  }
  try {
    new model(doc).validate();
  } catch (e) {
    problems.push(`${where}: ${e.message}`);
  }
}

function checkPipelineRules(all) {
  const deployments = all.filter(d => d.doc.kind === "Deployment");
  for (const { file, doc } of deployments) {
    const pod = doc.spec?.template?.spec ?? {};
    for (const container of pod.containers ?? []) {
      const where = `${file}: Deployment/${doc.metadata?.name} container ${container.name}`;
      const env = Object.fromEntries((container.env ?? []).map(e => [e.name, e.value]));
      if (env.Pipeline__Health__Port !== undefined) {
        if (!["0.0.0.0", "::"].includes(env.Pipeline__Health__Address)) {
          problems.push(`${where}: Pipeline__Health__Address must be 0.0.0.0 (or ::): probes come from the node, not the pod's loopback`);
        }
        probe(where, container, "livenessProbe", "/healthz/live", env.Pipeline__Health__Port);
        probe(where, container, "readinessProbe", "/healthz/ready", env.Pipeline__Health__Port);
      }
      if (env.Pipeline__Worker__Apps__0 !== undefined) {
        const grace = seconds(env.Pipeline__Worker__ExitGracePeriod ?? "00:00:30");
        const needed = grace + 15;
        if (!(pod.terminationGracePeriodSeconds > needed)) {
          problems.push(`${where}: terminationGracePeriodSeconds (${pod.terminationGracePeriodSeconds ?? 30}) must be above Pipeline:Worker:ExitGracePeriod plus 15 s (${needed} s), or Kubernetes kills the host before its exit hooks ran`);
        }
      }
      const limits = container.resources?.limits ?? {};
      const requests = container.resources?.requests ?? {};
      if (requests["nvidia.com/gpu"] !== undefined && String(requests["nvidia.com/gpu"]) !== String(limits["nvidia.com/gpu"])) {
        problems.push(`${where}: nvidia.com/gpu must be in limits, equal to its request (GPUs are not overcommitted)`);
      }
    }
  }
  for (const { file, doc } of all.filter(d => d.doc.kind === "ScaledObject")) {
    const target = doc.spec?.scaleTargetRef?.name;
    if (!deployments.some(d => d.doc.metadata?.name === target)) {
      problems.push(`${file}: ScaledObject/${doc.metadata?.name} scales '${target}', which is no Deployment here`);
    }
  }
  for (const { file, doc } of all.filter(d => d.doc.kind === "Service")) {
    const selector = Object.entries(doc.spec?.selector ?? {});
    const matches = deployments.some(d => selector.length > 0 && selector.every(([k, v]) => d.doc.spec?.template?.metadata?.labels?.[k] === v));
    if (!matches) {
      problems.push(`${file}: Service/${doc.metadata?.name} selects no Deployment's pods`);
    }
  }
}

function probe(where, container, kind, path, port) {
  const get = container[kind]?.httpGet;
  if (get?.path !== path) {
    problems.push(`${where}: ${kind} must GET ${path} (the path the process serves), not ${get?.path ?? "nothing"}`);
    return;
  }
  const named = (container.ports ?? []).find(p => p.name === get.port)?.containerPort;
  if (String(named ?? get.port) !== String(port)) {
    problems.push(`${where}: ${kind} probes port ${get.port}, but the health endpoints listen on ${port} (Pipeline__Health__Port)`);
  }
}

function seconds(text) {
  const match = /^(?:(\d+)\.)?(\d+):(\d+):(\d+)$/.exec(text);
  if (!match) {
    problems.push(`ExitGracePeriod '${text}' is not a time span (hh:mm:ss)`);
    return 0;
  }
  return ((Number(match[1] ?? 0) * 24 + Number(match[2])) * 60 + Number(match[3])) * 60 + Number(match[4]);
}
