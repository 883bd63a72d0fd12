// tests/test_behavior_<name>.py: the happy path, each `require` broken (422),
// app-level `allow` denied (403), missing required input (422), an outbox
// row per emit, and 501 from a custom behavior's unimplemented stub.
import type { Behavior, Field, Program } from '../../ir/schema.js';
import { plainField } from '../../ir/fields.js';
import { snake } from '../../names.js';
import { emitSetup, headers, OWNS_FIRST, type Setup } from './common.js';
import { TestFile } from './entity.js';
import { fstr, str } from './python.js';
import { candidates, sample, withoutCounter, type Sample, type Tv } from './values.js';
import { Model, rowFieldsOf, type Scenario, type World } from './world.js';

/** An input field seen as a model field, so values.ts can sample it. */
const asField = (input: Behavior['input'][number]): Field =>
  plainField(input.name, input.type, input.optional, input.name, input.span);

function inputPayload(program: Program, b: Behavior): { json: string; values: Map<string, Tv> } {
  const entries: string[] = [];
  const values = new Map<string, Tv>();
  for (const input of b.input) {
    const s = sample(program, asField(input));
    if (!s) continue;
    entries.push(`${str(input.name)}: ${withoutCounter(s.json)}`);
    values.set(input.name, s.ts);
  }
  return { json: `{${entries.join(', ')}}`, values };
}

interface RowArrangement {
  scenario: Scenario;
  /** field -> value the row is given (columns) */
  assignment: [Field, Sample][];
}

/** Search row states (values of the fields the requires read) for all-true or one-false requires. */
function arrangeRow(
  model: Model,
  b: Behavior,
  inputs: Map<string, Tv>,
  breaking?: number,
): RowArrangement | undefined {
  const entity = model.entity(b.entity!);
  const requires = b.statements.filter((s) => s.kind === 'require');
  const mentioned = [...new Set(requires.flatMap((r) => rowFieldsOf(r.expr)))];
  const fields = entity.fields.filter((f) => mentioned.includes(f.name) && f.column);
  const options = fields.map((f) => candidates(model.program, f));
  let combos: [Field, Sample][][] = [[]];
  fields.forEach((f, i) => {
    combos = combos.flatMap((c) => options[i]!.map((s): [Field, Sample][] => [...c, [f, s]]));
  });
  const scenarios = model.userEntity ? OWNS_FIRST.filter((s) => s.owns) : [OWNS_FIRST[0]!];
  for (const scenario of scenarios) {
    for (const combo of combos.slice(0, 500)) {
      const overrides = new Map<string, Tv>(combo.map(([f, s]) => [f.name, s.ts]));
      const world: World = { ...model.world(entity.name, scenario, overrides), input: inputs };
      if (model.allows(entity.name, b.name, world) !== true) continue;
      const results = requires.map((r) => model.test(r.expr, world));
      const ok =
        breaking === undefined
          ? results.every((r) => r === true)
          : results.every((r, i) =>
              i < breaking ? r === true : i === breaking ? r === false : true,
            );
      if (ok) return { scenario, assignment: combo };
    }
  }
  return undefined;
}

export function generateBehaviorTests(program: Program, b: Behavior): TestFile {
  const model = Model.of(program);
  const file = new TestFile();
  const h = headers(model);
  const name = snake(b.name);
  const input = inputPayload(program, b);
  const emits = b.statements.filter((s) => s.kind === 'emit');
  const creates = b.statements.filter((s) => s.kind === 'create');

  if (b.entity) {
    const entity = model.entity(b.entity);
    const url = fstr(`{API}/${entity.apiPath}/{row['id']}/${b.apiPath}`);
    const setupOf = (a: RowArrangement): Setup => ({
      scenario: a.scenario,
      columns: a.assignment.map(([f, s]) => [f.column!, withoutCounter(s.db)]),
      values: new Map(),
    });
    const happy = arrangeRow(model, b, input.values);
    if (happy) {
      file.test(
        name,
        b.custom ? `${b.name} is custom: the stub answers 501.` : `${b.name} runs.`,
        (w) => {
          emitSetup(w, model, entity, setupOf(happy));
          if (emits.length > 0 && !b.custom) w.line('before = len(await outbox_rows())');
          w.line(`response = await client.post(${url}, json=${input.json}${h})`);
          if (b.custom) {
            w.line('assert response.status_code == 501, response.text');
            return;
          }
          w.line('assert response.status_code in (200, 201), response.text');
          const returns = b.returns;
          if (returns?.kind === 'entity') {
            w.line('body = response.json()');
            const createsSame = creates.some(
              (c) => c.kind === 'create' && c.entity === returns.entity,
            );
            if (createsSame) w.line('assert body["id"] != str(row["id"])');
            else if (returns.entity === entity.name) w.line('assert body["id"] == str(row["id"])');
          }
          if (emits.length > 0) {
            w.line('rows = await outbox_rows()');
            w.line(`assert len(rows) == before + ${emits.length}`);
            for (const e of emits)
              if (e.kind === 'emit')
                w.line(`assert any(mentions(r, ${str(e.emit.event)}) for r in rows)`);
          }
        },
      );
      file.test(
        `${name}_unknown_row_is_404`,
        `${b.name} on a row that does not exist is a 404.`,
        (w) => {
          emitSetup(w, model, entity, setupOf(happy), { row: false });
          const missing = fstr(`{API}/${entity.apiPath}/{uuid.uuid4()}/${b.apiPath}`);
          w.line(`response = await client.post(${missing}, json=${input.json}${h})`);
          w.line('assert response.status_code == 404, response.text');
        },
      );
    }
    if (!b.custom) {
      b.statements.forEach((s, index) => {
        if (s.kind !== 'require') return;
        const requireIndex = b.statements
          .slice(0, index)
          .filter((x) => x.kind === 'require').length;
        const broken = arrangeRow(model, b, input.values, requireIndex);
        if (!broken) return;
        file.test(
          `${name}_require_${requireIndex + 1}_fails_is_422`,
          `require: ${s.message}`,
          (w) => {
            emitSetup(w, model, entity, setupOf(broken));
            w.line(`response = await client.post(${url}, json=${input.json}${h})`);
            w.line('assert response.status_code == 422, response.text');
            w.line(`assert ${str(s.message)} in response.text`);
          },
        );
      });
    }
    requiredInputs(file, model, b, happy ? () => setupOf(happy) : undefined, url);
    return file;
  }

  // App-level behavior: allowed by its own `allow if` lines.
  const url = `f"{API}/actions/${b.apiPath}"`;
  const allowed = (actor: 'plain' | 'admin'): boolean | undefined => {
    if (!model.userEntity || b.allows.length === 0) return true;
    const world: World = {
      row: model.user(actor, 'actor'),
      currentUser: model.user(actor, 'actor'),
      input: input.values,
    };
    const results = b.allows.map((e) => model.test(e, world));
    if (results.some((r) => r === true)) return true;
    return results.every((r) => r === false) ? false : undefined;
  };
  const actor = (['plain', 'admin'] as const).find((a) => allowed(a) === true);
  const sign = (w: TestFile['w'], who: 'plain' | 'admin'): void => {
    if (model.userEntity)
      w.line(
        `actor = await create_${snake(model.userEntity.name)}(${who === 'admin' ? 'True' : 'False'})`,
      );
  };
  if (actor) {
    file.test(
      name,
      b.custom ? `${b.name} is custom: the stub answers 501.` : `${b.name} runs.`,
      (w) => {
        sign(w, actor);
        if (emits.length > 0 && !b.custom) w.line('before = len(await outbox_rows())');
        w.line(`response = await client.post(${url}, json=${input.json}${h})`);
        if (b.custom) {
          w.line('assert response.status_code == 501, response.text');
          return;
        }
        w.line('assert response.status_code in (200, 201), response.text');
        if (emits.length > 0) {
          w.line('rows = await outbox_rows()');
          w.line(`assert len(rows) == before + ${emits.length}`);
        }
      },
    );
  }
  if (allowed('plain') === false) {
    file.test(
      `${name}_not_allowed_is_403`,
      `${b.name}: a user its allow lines reject gets a 403.`,
      (w) => {
        sign(w, 'plain');
        w.line(`response = await client.post(${url}, json=${input.json}${h})`);
        w.line('assert response.status_code == 403, response.text');
      },
    );
  }
  if (model.userEntity) {
    file.test(`${name}_needs_sign_in`, `${b.name} without a token is a 401.`, (w) => {
      w.line(`response = await client.post(${url}, json=${input.json})`);
      w.line('assert response.status_code == 401, response.text');
    });
  }
  if (actor) {
    requiredInputs(file, model, b, undefined, url, actor);
  }
  return file;
}

function requiredInputs(
  file: TestFile,
  model: Model,
  b: Behavior,
  rowSetup: (() => Setup) | undefined,
  url: string,
  actor?: 'plain' | 'admin',
): void {
  const h = headers(model);
  const input = inputPayload(model.program, b);
  if (b.entity && !rowSetup) return;
  for (const field of b.input.filter((i) => !i.optional)) {
    file.test(
      `${snake(b.name)}_without_${snake(field.name)}_is_422`,
      `${b.name}: input ${field.name} is required.`,
      (w) => {
        if (b.entity) {
          emitSetup(w, model, model.entity(b.entity), rowSetup!());
        } else if (model.userEntity) {
          w.line(
            `actor = await create_${snake(model.userEntity.name)}(${actor === 'admin' ? 'True' : 'False'})`,
          );
        }
        w.line(`payload = ${input.json}`);
        w.line(`del payload[${str(field.name)}]`);
        w.line(`response = await client.post(${url}, json=payload${h})`);
        w.line('assert response.status_code == 422, response.text');
        w.line(`assert ${str(field.name)} in response.text`);
      },
    );
  }
}
