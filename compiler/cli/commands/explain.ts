// `bitcup explain <entry>`: the app's deployment architecture — which
// services it runs as, how they are sized, and why each one is there.
import type { CAC } from 'cac';
import { resolve } from 'node:path';
import { CodeWriter } from '../../emit/code-writer.js';
import { compile } from '../../index.js';
import type { Program } from '../../ir/schema.js';
import { architectureFor } from '../../phases/3-optimize/architecture.js';
import type { CommandResult } from '../main.js';
import { printDiagnostics } from '../print.js';

export function formatArchitecture(program: Program): string {
  const architecture = architectureFor(program);
  const { app, deploy } = program;
  const k8s = deploy.kubernetes;
  const w = new CodeWriter('  ');
  const count = architecture.services.length;
  w.line(
    `${app.title} (${app.name} ${app.version}): ${count} services, ${
      architecture.hasEvents
        ? `events published through Redis (${program.events.map((e) => e.name).join(', ')})`
        : 'no events, so no Redis and no relay'
    }`,
  );
  w.blank();
  const width = Math.max(...architecture.services.map((s) => s.name.length));
  for (const service of architecture.services) {
    w.line(`${service.name.padEnd(width)}  ${service.role}`);
    {
      const pad = ' '.repeat(width + 2);
      const facts: string[] = [];
      if (service.image) facts.push(`image ${service.image}`);
      if (service.port !== undefined) facts.push(`port ${service.port}`);
      if (service.autoscaling) {
        const { minReplicas, maxReplicas } = service.autoscaling;
        facts.push(`${minReplicas} to ${maxReplicas} replicas (autoscaled on CPU)`);
      } else if (service.replicas !== undefined) {
        facts.push(`${service.replicas} replica${service.replicas === 1 ? '' : 's'}`);
      } else {
        facts.push('runs once per release');
      }
      if (service.resources) {
        const { cpu, memory } = service.resources;
        facts.push(`cpu ${cpu.request}/${cpu.limit}, memory ${memory.request}/${memory.limit}`);
      }
      if (service.command) facts.push(`runs \`${service.command.join(' ')}\``);
      w.line(`${pad}${facts.join('; ')}`);
      if (service.needs.length > 0) w.line(`${pad}needs ${service.needs.join(', ')}`);
      w.line(`${pad}why: ${service.reason}`);
    }
  }
  w.blank();
  w.line(
    `Compose: frontend on host port ${deploy.compose.frontendPort}, backend on ${deploy.compose.backendPort}`,
  );
  const hosts = k8s.hosts;
  w.line(
    `Kubernetes: namespace ${k8s.namespace}; ${
      hosts?.frontend ? `frontend at ${hosts.frontend}` : 'frontend on any host'
    }; ${
      hosts?.backend
        ? `API at ${k8s.tls ? 'https' : 'http'}://${hosts.backend}${app.apiPrefix}`
        : `API on the frontend's origin under ${app.apiPrefix}`
    }; ${k8s.tls ? `TLS from cert-manager issuer ${k8s.tls.issuer}` : 'no TLS'}`,
  );
  return w.toString();
}

export function registerExplain(cli: CAC, run: (result: CommandResult) => void): void {
  cli
    .command('explain <entry>', 'Show the services the app deploys as, and why')
    .action((entry: string) => {
      run(
        (() => {
          const compiled = compile(resolve(entry));
          printDiagnostics(compiled.diagnostics);
          if (!compiled.program) return 1;
          process.stdout.write(formatArchitecture(compiled.program));
          return 0;
        })(),
      );
    });
}
