// tests/test_flow_<flow>.py: every transition from every source state, 409
// from every other state, guard failures (403 when the guard mentions
// currentUser, 409 otherwise), `set` effects, an outbox row per emit, and
// two concurrent calls where exactly one wins.
import type { Entity, Flow, Program, Transition } from '../../ir/schema.js';
import { snake } from '../../names.js';
import { emitSetup, factoryName, headers, type Setup } from './common.js';
import { TestFile } from './entity.js';
import type { PyWriter } from './py-writer.js';
import { fstr, str } from './python.js';
import { countedRelations, Model, type Scenario } from './world.js';

interface Arrangement {
  scenario: Scenario;
  /** relation -> number of children to create (count(...) guards) */
  children: Map<string, number>;
}

function arrangements(model: Model, t: Transition): Arrangement[] {
  const relations = t.guard ? countedRelations(t.guard) : [];
  const scenarios: Scenario[] = model.userEntity
    ? [
        { actor: 'plain', owns: true },
        { actor: 'admin', owns: true },
      ]
    : [{ actor: 'plain', owns: true }];
  const out: Arrangement[] = [];
  const counts = relations.reduce<Map<string, number>[]>(
    (acc, rel) => acc.flatMap((m) => [0, 1].map((n) => new Map(m).set(rel, n))),
    [new Map()],
  );
  for (const scenario of scenarios) for (const children of counts) out.push({ scenario, children });
  return out;
}

/** Find an arrangement where the rules allow `t` and the guard is `want`. */
export function find(
  model: Model,
  flow: Flow,
  t: Transition,
  from: string,
  want: boolean,
): Arrangement | undefined {
  for (const a of arrangements(model, t)) {
    const world = model.world(flow.entity, a.scenario, new Map([[flow.field, from]]));
    for (const [rel, n] of a.children) world.row.counts.set(rel, n);
    if (model.allows(flow.entity, t.name, world) !== true) continue;
    const guard = t.guard ? model.test(t.guard, world) : true;
    if (guard === want) return a;
  }
  return undefined;
}

export function arrange(
  w: PyWriter,
  model: Model,
  entity: Entity,
  flow: Flow,
  from: string,
  a: Arrangement,
): void {
  const column = entity.fields.find((f) => f.name === flow.field)?.column ?? snake(flow.field);
  const setup: Setup = { scenario: a.scenario, columns: [[column, str(from)]], values: new Map() };
  emitSetup(w, model, entity, setup);
  for (const [rel, n] of a.children) {
    if (n === 0) continue;
    const field = entity.fields.find((f) => f.name === rel);
    if (field?.type.kind !== 'relation' || !field.type.inverse) continue;
    const child = model.entity(field.type.target);
    const back = child.fields.find((f) => f.name === (field.type as { inverse: string }).inverse);
    if (!back?.column) continue;
    const owner = model.isUser(child.name) ? 'False' : model.userEntity ? 'owner' : 'None';
    w.line(`await ${factoryName(child.name)}(${owner}, {${str(back.column)}: row["id"]})`);
  }
}

export function generateFlowTests(program: Program, flow: Flow): TestFile {
  const model = Model.of(program);
  const entity = model.entity(flow.entity);
  const file = new TestFile();
  const states = program.enums.find((e) => e.name === flow.enum)?.values ?? [];
  const fieldApi = entity.fields.find((f) => f.name === flow.field)?.apiName ?? flow.field;
  const h = headers(model);
  for (const t of flow.transitions) {
    const url = fstr(`{API}/${entity.apiPath}/{row['id']}/${t.apiPath}`);
    const name = snake(t.name);
    for (const from of t.from) {
      const happy = find(model, flow, t, from, true);
      if (!happy) continue;
      file.test(`${name}_from_${snake(from)}`, `${t.name}: ${from} -> ${t.to}.`, (w) => {
        arrange(w as PyWriter, model, entity, flow, from, happy);
        if (t.emits.length > 0) w.line('before = len(await outbox_rows())');
        w.line(`response = await client.post(${url}${h})`);
        w.line('assert response.status_code == 200, response.text');
        w.line('body = response.json()');
        w.line(`assert body[${str(fieldApi)}] == ${str(t.to)}`);
        for (const set of t.sets) {
          const target = entity.fields.find((f) => f.name === set.field);
          if (!target) continue;
          if (set.expr.kind === 'now') w.line(`assert body[${str(target.apiName)}] is not None`);
          if (set.expr.kind === 'literal' && typeof set.expr.value !== 'number') {
            const v = set.expr.value;
            const py =
              v === null ? 'None' : typeof v === 'boolean' ? (v ? 'True' : 'False') : str(v);
            w.line(`assert body[${str(target.apiName)}] == ${py}`);
          }
          if (set.expr.kind === 'enumValue') {
            w.line(`assert body[${str(target.apiName)}] == ${str(set.expr.value)}`);
          }
        }
        if (t.emits.length > 0) {
          w.line('rows = await outbox_rows()');
          w.line(`assert len(rows) == before + ${t.emits.length}`);
          for (const e of t.emits) {
            w.line(`assert any(mentions(r, ${str(e.event)}) for r in rows)`);
          }
          w.line('assert any(mentions(r, str(row["id"])) for r in rows)');
        }
        w.line(`stored = await client.get(${fstr(`{API}/${entity.apiPath}/{row['id']}`)}${h})`);
        w.line(`assert stored.json()[${str(fieldApi)}] == ${str(t.to)}`);
      });
    }
    const someFrom = t.from[0];
    const happyAny = someFrom !== undefined ? find(model, flow, t, someFrom, true) : undefined;
    for (const state of states.filter((s) => !t.from.includes(s))) {
      if (!happyAny) break;
      file.test(
        `${name}_from_${snake(state)}_is_409`,
        `${t.name} is not allowed from ${state}: 409 naming the allowed states.`,
        (w) => {
          arrange(w as PyWriter, model, entity, flow, state, happyAny);
          w.line(`response = await client.post(${url}${h})`);
          w.line('assert response.status_code == 409, response.text');
          for (const s of t.from) w.line(`assert ${str(s)} in response.text`);
        },
      );
    }
    if (t.guard && someFrom !== undefined) {
      const failing = find(model, flow, t, someFrom, false);
      if (failing) {
        const status = t.guardMentionsCurrentUser ? 403 : 409;
        file.test(
          `${name}_guard_fails_is_${status}`,
          `${t.name}: a false guard answers ${status}.`,
          (w) => {
            arrange(w as PyWriter, model, entity, flow, someFrom, failing);
            w.line(`response = await client.post(${url}${h})`);
            w.line(`assert response.status_code == ${status}, response.text`);
            w.line(`stored = await client.get(${fstr(`{API}/${entity.apiPath}/{row['id']}`)}${h})`);
            w.line(`assert stored.json()[${str(fieldApi)}] == ${str(someFrom)}`);
          },
        );
      }
    }
    file.test(
      `${name}_unknown_row_is_404`,
      `${t.name} on a row that does not exist is a 404.`,
      (w) => {
        const scenario = happyAny?.scenario ?? { actor: 'admin', owns: true };
        emitSetup(
          w as PyWriter,
          model,
          entity,
          { scenario, columns: [], values: new Map() },
          { row: false },
        );
        const missing = fstr(`{API}/${entity.apiPath}/{uuid.uuid4()}/${t.apiPath}`);
        w.line(`response = await client.post(${missing}${h})`);
        w.line('assert response.status_code == 404, response.text');
      },
    );
  }
  // Atomic state change: of two concurrent calls, one wins and one gets a 409.
  const first = flow.transitions.find((t) => {
    const from = t.from[0];
    return from !== undefined && !t.from.includes(t.to) && find(model, flow, t, from, true);
  });
  if (first) {
    const from = first.from[0]!;
    const a = find(model, flow, first, from, true)!;
    const url = fstr(`{API}/${entity.apiPath}/{row['id']}/${first.apiPath}`);
    file.test(
      `${snake(first.name)}_twice_at_once_one_wins`,
      'Two concurrent transitions: one 200, one 409.',
      (w) => {
        arrange(w as PyWriter, model, entity, flow, from, a);
        w.line('first, second = await asyncio.gather(');
        w.indent(() => {
          w.line(`client.post(${url}${h}),`);
          w.line(`client.post(${url}${h}),`);
        });
        w.line(')');
        w.line('assert sorted([first.status_code, second.status_code]) == [200, 409]');
      },
    );
  }
  return file;
}
