// 4. API client: Read / Create / Update types per entity, enum unions, and
// one typed client object per entity over the runtime's `request`.
import { CodeWriter } from '../../emit/code-writer.js';
import type { Behavior, Entity, Program } from '../../ir/schema.js';
import { behaviorKey } from '../../incremental/parts.js';
import { camel, kebab } from '../../names.js';
import type { GeneratedFile } from '../types.js';
import {
  actionMethod,
  behaviorInputType,
  entityNames,
  everyFile,
  isToOne,
  outputPath,
  tsScalarType,
  tsType,
  type VueModel,
  type Wanted,
} from './model.js';

const docLines = (w: CodeWriter, doc: string | undefined) => {
  if (doc === undefined || doc.trim() === '') return;
  const lines = doc.trim().split('\n');
  if (lines.length === 1) w.line(`/** ${lines[0]!.replace(/\*\//g, '*\\/')} */`);
  else {
    w.line('/**');
    for (const line of lines) w.line(` * ${line.replace(/\*\//g, '*\\/')}`.trimEnd());
    w.line(' */');
  }
};

/** `head tail` on one line when it fits (at depth 1), else tail indented below head. */
function fitOrBreak(w: CodeWriter, head: string, tail: string): void {
  if (2 + head.length + 1 + tail.length <= 100) w.line(`${head} ${tail}`);
  else w.block(head, () => w.line(tail));
}

function behaviorReturnType(model: VueModel, behavior: Behavior): string {
  const returns = behavior.returns;
  if (returns === undefined) return 'unknown';
  if (returns.kind === 'entity') {
    const entity = model.entity(returns.entity);
    return entity === undefined ? 'unknown' : entityNames(entity).read;
  }
  if (returns.kind === 'enum') return returns.enum;
  return tsScalarType(returns.scalar);
}

function inputTsType(type: Behavior['input'][number]['type']): string {
  if (type.kind === 'enum') return type.enum;
  if (type.kind === 'relation') return 'string';
  return tsType({ type } as Parameters<typeof tsType>[0]);
}

/** One declaration's block of types.ts, without a final newline. */
export type TypesChunk = (partKey: string, make: () => string) => string;

const render = (write: (w: CodeWriter) => void): string => {
  const w = new CodeWriter('  ');
  write(w);
  return w.toString().slice(0, -1);
};

function enumTypes(decl: Program['enums'][number]): string {
  return render((w) => {
    docLines(w, decl.doc);
    w.line(`export type ${decl.name} = ${decl.values.map((v) => `'${v}'`).join(' | ')};`);
    const head = `export const ${camel(decl.name)}Values: ${decl.name}[] = [`;
    const items = decl.values.map((v) => `'${v}'`);
    if (`${head}${items.join(', ')}];`.length <= 100) w.line(`${head}${items.join(', ')}];`);
    else w.block(head, () => items.forEach((item) => w.line(`${item},`)), '];');
  });
}

/** An entity's Read / Create / Update types: they read only the entity. */
function entityTypes(model: VueModel, entity: Entity): string {
  const names = entityNames(entity);
  return render((w) => {
    docLines(w, entity.doc ?? `A ${entity.label.toLowerCase()} as the API answers it.`);
    w.block(
      `export interface ${names.read} {`,
      () => {
        for (const field of model.readFields(entity)) {
          docLines(w, field.doc);
          const type = tsType(field) + (field.optional ? ' | null' : '');
          w.line(`${field.apiName}: ${type};`);
          if (isToOne(field) && field.type.kind === 'relation') {
            w.line(`${field.name}?: Record<string, unknown> | null;`);
          }
        }
      },
      '}',
    );
    w.blank();
    const writable = model.writableFields(entity);
    if (writable.length === 0) {
      w.line(`export type ${names.create} = Record<string, never>;`);
    } else {
      w.block(
        `export interface ${names.create} {`,
        () => {
          for (const field of writable) {
            const optional = field.optional || field.default !== undefined ? '?' : '';
            const type = tsType(field) + (field.optional ? ' | null' : '');
            w.line(`${field.apiName}${optional}: ${type};`);
          }
        },
        '}',
      );
    }
    w.blank();
    w.line(`export type ${names.update} = Partial<${names.create}>;`);
  });
}

function behaviorTypes(behavior: Behavior): string {
  return render((w) => {
    const name = behaviorInputType(behavior.entity, behavior.name);
    if (behavior.input.length === 0) {
      w.line(`export type ${name} = Record<string, never>;`);
      return;
    }
    w.block(
      `export interface ${name} {`,
      () => {
        for (const input of behavior.input) {
          const type = inputTsType(input.type) + (input.optional ? ' | null' : '');
          w.line(`${input.name}${input.optional ? '?' : ''}: ${type};`);
        }
      },
      '}',
    );
  });
}

/**
 * types.ts: one block per enum, entity and behavior, a blank line apart. Each
 * block reads only its own declaration, so `chunk` (an incremental build)
 * may reuse the block of an unchanged one by its part key.
 */
function typesFile(model: VueModel, chunk: TypesChunk): string {
  const blocks = [
    '// Types of the JSON API, generated from the model. Decimals travel as strings,\n' +
      '// datetimes as ISO 8601 strings; a to-one relation is `<field>Id`.',
  ];
  // part keys kept per name (outputPath): hundreds are looked up per run
  const key = (kind: string, name: string) => outputPath(kind, name, () => `${kind}:${name}`);
  for (const decl of model.program.enums)
    blocks.push(chunk(key('enum', decl.name), () => enumTypes(decl)));
  for (const entity of model.program.entities)
    blocks.push(chunk(key('entity', entity.name), () => entityTypes(model, entity)));
  for (const behavior of model.program.behaviors)
    blocks.push(chunk(key('behavior', behaviorKey(behavior)), () => behaviorTypes(behavior)));
  return `${blocks.join('\n\n')}\n`;
}

function entityApiFile(model: VueModel, entity: Entity): string {
  const names = entityNames(entity);
  const actions = model.actions(entity);
  const inputTypes = actions
    .filter((action) => action.behavior !== undefined)
    .map((action) => behaviorInputType(entity.name, action.name));
  const returnTypes = actions
    .filter((action) => action.behavior !== undefined)
    .map((action) => behaviorReturnType(model, action.behavior!))
    .filter((type) => /^[A-Z]/.test(type) && type !== names.read);
  const imported = [
    ...new Set([names.create, ...inputTypes, names.read, names.update, ...returnTypes]),
  ];
  imported.sort();
  const w = new CodeWriter('  ');
  w.line(
    `// The ${entity.label.toLowerCase()} endpoints: ${model.program.app.apiPrefix}/${entity.apiPath}.`,
  );
  w.line("import { request, type Page as ApiPage } from '../runtime/http';");
  w.line("import { listQueryParams, type ListParams } from '../runtime/list';");
  const importLine = `import type { ${imported.join(', ')} } from './types';`;
  if (importLine.length <= 100) w.line(importLine);
  else {
    w.block(
      'import type {',
      () => {
        for (const name of imported) w.line(`${name},`);
      },
      "} from './types';",
    );
  }
  w.blank();
  w.line(`const base = '/${entity.apiPath}';`);
  w.blank();
  w.block(
    `export const ${names.api} = {`,
    () => {
      fitOrBreak(
        w,
        'list: (params: ListParams) =>',
        `request<ApiPage<${names.read}>>('GET', base, { query: listQueryParams(params) }),`,
      );
      fitOrBreak(w, 'get: (id: string) =>', `request<${names.read}>('GET', \`\${base}/\${id}\`),`);
      fitOrBreak(
        w,
        `create: (data: ${names.create}) =>`,
        `request<${names.read}>('POST', base, { json: data }),`,
      );
      fitOrBreak(
        w,
        `update: (id: string, data: ${names.update}) =>`,
        `request<${names.read}>('PATCH', \`\${base}/\${id}\`, { json: data }),`,
      );
      w.line("remove: (id: string) => request<void>('DELETE', `${base}/${id}`),");
      for (const action of actions) {
        const method = actionMethod(action.name);
        const apiPath = action.transition?.apiPath ?? action.behavior?.apiPath ?? action.name;
        if (action.behavior !== undefined) {
          const input = behaviorInputType(entity.name, action.name);
          const returns = behaviorReturnType(model, action.behavior);
          fitOrBreak(
            w,
            `${method}: (id: string, input: ${input}) =>`,
            `request<${returns}>('POST', \`\${base}/\${id}/${apiPath}\`, { json: input }),`,
          );
        } else {
          fitOrBreak(
            w,
            `${method}: (id: string) =>`,
            `request<${names.read}>('POST', \`\${base}/\${id}/${apiPath}\`),`,
          );
        }
      }
    },
    '};',
  );
  return w.toString();
}

function actionsApiFile(model: VueModel): string {
  const behaviors = model.appBehaviors();
  const w = new CodeWriter('  ');
  w.line(`// App-level behaviors: ${model.program.app.apiPrefix}/actions/<name>.`);
  w.line("import { request } from '../runtime/http';");
  const types = [
    ...new Set([
      ...behaviors.map((b) => behaviorInputType(undefined, b.name)),
      ...behaviors.map((b) => behaviorReturnType(model, b)).filter((t) => /^[A-Z]/.test(t)),
    ]),
  ].sort();
  if (types.length > 0) w.line(`import type { ${types.join(', ')} } from './types';`);
  w.blank();
  w.block(
    'export const actionsApi = {',
    () => {
      for (const behavior of behaviors) {
        const input = behaviorInputType(undefined, behavior.name);
        fitOrBreak(
          w,
          `${actionMethod(behavior.name)}: (input: ${input}) =>`,
          `request<${behaviorReturnType(model, behavior)}>('POST', '/actions/${behavior.apiPath}', { json: input }),`,
        );
      }
    },
    '};',
  );
  return w.toString();
}

/** The entities whose Read type a behavior returns (its client names that type). */
function returnedEntities(behaviors: Behavior[]): string[] {
  const names = new Set<string>();
  for (const b of behaviors) if (b.returns?.kind === 'entity') names.add(b.returns.entity);
  return [...names].sort().map((name) => `entity:${name}`);
}

/**
 * `wanted` (incremental builds): make only the files it accepts; `chunk`:
 * types.ts blocks, kept by an incremental build.
 */
export function apiFiles(
  model: VueModel,
  wanted: Wanted = everyFile,
  chunk: TypesChunk = (_key, make) => make(),
): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  const file = (path: string, dependsOn: () => string[], content: () => string): void => {
    if (!wanted(path, dependsOn)) return;
    files.push({ path, content: content(), ownership: 'generated', dependsOn: dependsOn() });
  };
  file(
    'frontend/src/api/types.ts',
    () => ['entities', 'enums', 'behaviors'],
    () => typesFile(model, chunk),
  );
  for (const entity of model.program.entities) {
    file(
      outputPath('api', entity.name, () => `frontend/src/api/${kebab(entity.name)}.api.ts`),
      () => {
        const behaviors = model.actions(entity).flatMap((a) => (a.behavior ? [a.behavior] : []));
        return [
          `entity:${entity.name}`,
          'app',
          `flows:${entity.name}`,
          `behaviors:${entity.name}`,
          ...returnedEntities(behaviors),
        ];
      },
      () => entityApiFile(model, entity),
    );
  }
  const appBehaviors = model.appBehaviors();
  if (appBehaviors.length > 0) {
    file(
      'frontend/src/api/app-actions.api.ts',
      () => ['app', 'behaviors', ...returnedEntities(appBehaviors)],
      () => actionsApiFile(model),
    );
  }
  return files;
}
