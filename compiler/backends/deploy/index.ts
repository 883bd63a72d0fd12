// The deploy backend: <out>/deploy/ — Dockerfiles, Docker Compose and
// Kubernetes, all shaped by IR.architecture (the architecture pass).
import { makeDiagnostic } from '../../diagnostics/collector.js';
import type { Program } from '../../ir/schema.js';
import { isAffected } from '../../incremental/parts.js';
import type { PartialBackend } from '../../incremental/builder.js';
import { comparePaths, type GeneratedFile } from '../types.js';
import { COMPOSE_FILE, ENV_EXAMPLE, composeFile, envExample } from './compose.js';
import {
  BACKEND_DOCKERFILE,
  BACKEND_ENTRYPOINT,
  FRONTEND_DOCKERFILE,
  NGINX_TEMPLATE,
  backendDockerfile,
  backendDockerignore,
  backendEntrypoint,
  frontendDockerfile,
  frontendDockerignore,
  nginxTemplate,
} from './images.js';
import { K8S_DIR, kubernetesFileText, kubernetesFiles, kustomization } from './kubernetes.js';
import { deployModel } from './model.js';
import { deployReadme } from './readme.js';

const DEPENDS_ON = ['app', 'deploy', 'events', 'architecture'];

export function deployFiles(program: Program): GeneratedFile[] {
  const model = deployModel(program);
  const file = (path: string, content: string, mode?: number): GeneratedFile => {
    const generated: GeneratedFile = {
      path,
      content,
      ownership: 'generated',
      dependsOn: DEPENDS_ON,
    };
    if (mode !== undefined) generated.mode = mode;
    return generated;
  };
  const k8s = kubernetesFiles(model);
  const files = [
    file(BACKEND_DOCKERFILE, backendDockerfile(model)),
    file(`${BACKEND_DOCKERFILE}.dockerignore`, backendDockerignore()),
    file(BACKEND_ENTRYPOINT, backendEntrypoint(model), 0o755),
    file(FRONTEND_DOCKERFILE, frontendDockerfile(model)),
    file(`${FRONTEND_DOCKERFILE}.dockerignore`, frontendDockerignore()),
    file(NGINX_TEMPLATE, nginxTemplate(model)),
    file(COMPOSE_FILE, composeFile(model)),
    file(ENV_EXAMPLE, envExample(model)),
    file('deploy/.gitignore', '# Real settings and secrets stay out of version control.\n.env\n'),
    file('deploy/README.md', deployReadme(model, k8s)),
    file(`${K8S_DIR}/kustomization.yaml`, kustomization(model, k8s)),
    ...k8s.map((f) => file(`${K8S_DIR}/${f.name}`, kubernetesFileText(model, f))),
  ];
  return files.sort(comparePaths);
}

export const deployBackend: PartialBackend = {
  name: 'deploy',
  // every deploy file reads the same parts: all of them or none
  generateChanged(program, context, changed, parts) {
    return isAffected(DEPENDS_ON, changed, parts) ? this.generate(program, context) : [];
  },
  generate(program, context) {
    try {
      return deployFiles(program);
    } catch (error) {
      // A bug in this backend must not stop the build's other outputs.
      context.report(
        makeDiagnostic('BC9001', undefined, {
          phase: 'the deploy backend',
          reason: (error as Error).message,
        }),
      );
      return [];
    }
  },
};
