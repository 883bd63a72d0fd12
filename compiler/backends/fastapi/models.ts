// app/models/: SQLAlchemy 2 typed declarative models (one module per
// entity), enums (app/models/enums.py), many-to-many join tables
// (app/models/associations.py) and a package __init__ that imports them all
// so Base.metadata describes every table H3's migrations create.
import { CodeWriter } from '../../emit/code-writer.js';
import { type Ctx, type EntityInfo, info } from './context.js';
import { enumMember, joinTableVar } from './expr.js';
import { call, docstring, Imports, moduleHeader, pyNum, pyStr, stmt, type Doc } from './py.js';
import { type FileSpec, type MadeText, remembered, spec } from './files.js';
import { pyType, saType } from './types.js';

const ON_DELETE = { cascade: 'CASCADE', restrict: 'RESTRICT', 'set null': 'SET NULL' } as const;

export function generateModels(ctx: Ctx, entities: readonly EntityInfo[]): FileSpec[] {
  return [
    spec('backend/app/models/enums.py', () => enumsModule(ctx)),
    spec('backend/app/models/associations.py', () => associationsModule(ctx)),
    ...entities.map((e) => spec(e.paths.model, () => entityModule(ctx, info(ctx, e.entity.name)))),
    spec('backend/app/models/__init__.py', () => initModule(ctx)),
  ];
}

function enumsModule(ctx: Ctx): string {
  const w = new CodeWriter();
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  imports.add('enum', 'Enum', 'StrEnum');
  imports.add('sqlalchemy', 'Enum as SAEnum');
  moduleHeader(
    w,
    'Enumerations of the model, stored as strings (with a CHECK in the DDL).',
    imports,
  );
  w.blank(2);
  w.line('def _values(enum_class: type[Enum]) -> list[str]:');
  w.indent(() => w.line('return [str(member.value) for member in enum_class]'));
  w.blank(2);
  w.line('def enum_type(enum_class: type[StrEnum]) -> SAEnum:');
  w.indent(() => {
    docstring(w, 1, 'A string column holding one of the enum values (not a native enum).');
    w.line('length = max(len(str(member.value)) for member in enum_class)');
    stmt(
      w,
      1,
      call(
        'return SAEnum',
        'enum_class',
        'native_enum=False',
        'length=length',
        'values_callable=_values',
        'validate_strings=True',
      ),
    );
  });
  for (const en of ctx.program.enums) {
    w.blank(2);
    w.line(`class ${ctx.enumClass.get(en.name)}(StrEnum):`);
    w.indent(() => {
      docstring(w, 1, en.doc ?? `Values of ${en.name}.`);
      w.line();
      for (const v of en.values) w.line(`${enumMember(v)} = ${pyStr(v)}`);
    });
  }
  return w.toString();
}

function associationsModule(ctx: Ctx): string {
  const w = new CodeWriter();
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  if (ctx.program.joinTables.length > 0) {
    imports.add('sqlalchemy', 'Column', 'ForeignKey', 'Table');
    imports.add('app.core.db', 'Base');
  }
  moduleHeader(w, 'Join tables of many-to-many relations (composite primary keys).', imports);
  for (const jt of ctx.program.joinTables) {
    w.blank(1);
    const columns: Doc[] = jt.sides.map((s) =>
      call(
        'Column',
        pyStr(s.column),
        call('ForeignKey', pyStr(`${s.references}.id`), 'ondelete="CASCADE"'),
        'primary_key=True',
      ),
    );
    stmt(
      w,
      0,
      call(`${joinTableVar(jt.name)} = Table`, pyStr(jt.name), 'Base.metadata', ...columns),
    );
  }
  if (ctx.program.joinTables.length === 0) {
    w.blank(1);
    w.line('__all__: list[str] = []');
  }
  return w.toString();
}

function truncateName(name: string): string {
  if (Buffer.byteLength(name) <= 63) return name;
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return name.slice(0, 54) + '_' + hash.toString(16).padStart(8, '0').slice(0, 8);
}

function defaultDoc(
  field: EntityInfo['fields'][number],
  imports: Imports,
  ctx: Ctx,
): string | undefined {
  const d = field.field.default;
  if (!d) return undefined;
  switch (d.kind) {
    case 'literal':
      if (typeof d.value === 'boolean') return d.value ? 'True' : 'False';
      if (typeof d.value === 'number') {
        const t = field.field.type;
        if (t.kind === 'scalar' && t.scalar === 'decimal') {
          imports.add('decimal', 'Decimal');
          return `Decimal(${pyStr(String(d.value))})`;
        }
        return pyNum(d.value, t.kind === 'scalar' && t.scalar === 'float');
      }
      return pyStr(d.value);
    case 'enum': {
      const t = field.field.type;
      const cls = t.kind === 'enum' ? (ctx.enumClass.get(t.enum) ?? t.enum) : '';
      imports.add('app.models.enums', cls);
      return `${cls}.${enumMember(d.value)}`;
    }
    case 'now':
      imports.add('app.runtime.rules', 'utcnow');
      return 'utcnow';
    case 'emptyObject':
      return 'dict';
    case 'emptyArray':
      return 'list';
    default:
      return undefined;
  }
}

function entityModule(ctx: Ctx, e: EntityInfo): string {
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  imports.add('sqlalchemy.orm', 'Mapped', 'mapped_column');
  imports.add('app.core.db', 'Base');
  const typeOnly = new Set<string>();
  const body = new CodeWriter();
  const entity = e.entity;
  const cls = e.className;
  // table args: declared uniques and non-unique b-tree indexes of this table
  const tableArgs: Doc[] = [];
  for (const u of entity.uniques) {
    const cols = u.fields.map((f) => e.byName.get(f)?.field.column ?? f);
    imports.add('sqlalchemy', 'UniqueConstraint');
    tableArgs.push(
      call(
        'UniqueConstraint',
        ...cols.map(pyStr),
        `name=${pyStr(truncateName(`uq_${entity.table}_${cols.join('_')}`))}`,
      ),
    );
  }
  for (const idx of ctx.indexesOf(entity.name)) {
    if (idx.method !== 'btree' || idx.unique) continue;
    imports.add('sqlalchemy', 'Index');
    tableArgs.push(call('Index', pyStr(idx.name), ...idx.columns.map(pyStr)));
  }
  body.line(`class ${cls}(Base):`);
  body.indent(() => {
    docstring(body, 1, entity.doc ?? `${entity.label}: a row of \`${entity.table}\`.`);
    body.line();
    body.line(`__tablename__ = ${pyStr(entity.table)}`);
    if (tableArgs.length > 0) {
      stmt(body, 1, {
        open: '__table_args__ = (',
        items: tableArgs,
        close: ')',
        tuple1: tableArgs.length === 1,
      });
    }
    body.line();
    const properties: (() => void)[] = [];
    for (const f of e.fields) {
      const field = f.field;
      const column = field.column ?? '';
      const nameArg = column && column !== f.columnAttr ? [pyStr(column)] : [];
      switch (f.kind) {
        case 'id':
          imports.module('uuid');
          imports.add('sqlalchemy', 'Uuid');
          stmt(
            body,
            1,
            call(
              `${f.attr}: Mapped[uuid.UUID] = mapped_column`,
              ...nameArg,
              'Uuid',
              'primary_key=True',
              'default=uuid.uuid4',
            ),
          );
          break;
        case 'scalar':
        case 'enum': {
          const py = pyType(ctx, field.type, imports);
          const args: Doc[] = [...nameArg, saType(ctx, field, imports)];
          if (field.unique) args.push('unique=True');
          const def = defaultDoc(f, imports, ctx);
          if (def) args.push(`default=${def}`);
          if (field.onUpdateNow) {
            imports.add('app.runtime.rules', 'utcnow');
            args.push('onupdate=utcnow');
          }
          if (field.doc) args.push(`doc=${pyStr(field.doc)}`);
          const ann = field.optional ? `${py} | None` : py;
          stmt(body, 1, call(`${f.attr}: Mapped[${ann}] = mapped_column`, ...args));
          break;
        }
        case 'toOne': {
          const type = field.type;
          if (type.kind !== 'relation') break;
          const target = info(ctx, type.target);
          imports.module('uuid');
          imports.add('sqlalchemy', 'ForeignKey');
          const fk = call(
            'ForeignKey',
            pyStr(`${target.entity.table}.id`),
            `ondelete=${pyStr(ON_DELETE[type.onDelete ?? 'restrict'])}`,
          );
          const args: Doc[] = [...nameArg, fk];
          if (field.unique || type.relation === 'one-to-one') args.push('unique=True');
          const opt = field.optional ? ' | None' : '';
          stmt(body, 1, call(`${f.columnAttr}: Mapped[uuid.UUID${opt}] = mapped_column`, ...args));
          if (target.className !== cls) typeOnly.add(target.entity.name);
          const relArgs: Doc[] = [];
          if (type.inverse)
            relArgs.push(`back_populates=${pyStr(snakeAttr(ctx, type.target, type.inverse))}`);
          relArgs.push(`foreign_keys=${pyStr(`${cls}.${f.columnAttr}`)}`);
          if (target.className === cls) relArgs.push(`remote_side=${pyStr(`${cls}.id`)}`);
          imports.add('sqlalchemy.orm', 'relationship');
          stmt(
            body,
            1,
            call(`${f.attr}: Mapped[${target.className}${opt}] = relationship`, ...relArgs),
          );
          break;
        }
        case 'inverseOne':
        case 'oneToMany': {
          const type = field.type;
          if (type.kind !== 'relation' || !type.inverse) break;
          const target = info(ctx, type.target);
          const inverse = target.byName.get(type.inverse);
          if (!inverse) break;
          if (target.className !== cls) typeOnly.add(target.entity.name);
          imports.add('sqlalchemy.orm', 'relationship');
          const args: Doc[] = [
            `back_populates=${pyStr(inverse.attr)}`,
            `foreign_keys=${pyStr(`${target.className}.${inverse.columnAttr}`)}`,
            'passive_deletes="all"',
          ];
          if (f.kind === 'inverseOne') {
            args.push('uselist=False');
            stmt(
              body,
              1,
              call(`${f.attr}: Mapped[${target.className} | None] = relationship`, ...args),
            );
          } else {
            stmt(
              body,
              1,
              call(`${f.attr}: Mapped[list[${target.className}]] = relationship`, ...args),
            );
          }
          break;
        }
        case 'manyToMany': {
          const type = field.type;
          if (type.kind !== 'relation') break;
          const target = info(ctx, type.target);
          const jt = type.joinTable === undefined ? undefined : ctx.joinTable(type.joinTable);
          if (!jt) break;
          if (target.className !== cls) typeOnly.add(target.entity.name);
          const variable = joinTableVar(jt.name);
          imports.add('app.models.associations', variable);
          imports.add('sqlalchemy.orm', 'relationship');
          const args: Doc[] = [`secondary=${variable}`];
          const self =
            jt.sides.find((s) => s.entity === entity.name && s.field === field.name) ?? jt.sides[0];
          const other = jt.sides.find((s) => s !== self) ?? jt.sides[1];
          if (type.target === entity.name) {
            args.push(`primaryjoin=${pyStr(`${cls}.id == ${jt.name}.c.${self!.column}`)}`);
            args.push(`secondaryjoin=${pyStr(`${cls}.id == ${jt.name}.c.${other!.column}`)}`);
          } else if (type.inverse) {
            args.push(`back_populates=${pyStr(snakeAttr(ctx, type.target, type.inverse))}`);
          }
          stmt(
            body,
            1,
            call(`${f.attr}: Mapped[list[${target.className}]] = relationship`, ...args),
          );
          properties.push(() => {
            body.blank(1);
            body.line('@property');
            body.line(`def ${f.schemaAttr}(self) -> list[uuid.UUID]:`);
            body.indent(() => {
              docstring(body, 2, `Ids of the linked ${target.entity.pluralLabel.toLowerCase()}.`);
              body.line(`return [item.id for item in self.${f.attr}]`);
            });
          });
          imports.module('uuid');
          break;
        }
      }
    }
    for (const p of properties) p();
  });
  if (typeOnly.size > 0) imports.add('typing', 'TYPE_CHECKING');
  const w = new CodeWriter();
  moduleHeader(
    w,
    entity.doc ? `${entity.name}: ${firstLine(entity.doc)}` : `The ${entity.name} model.`,
    imports,
  );
  if (typeOnly.size > 0) {
    w.line();
    w.line('if TYPE_CHECKING:');
    w.indent(() => {
      for (const name of [...typeOnly].sort((a, b) => compareModule(ctx, a, b))) {
        const t = info(ctx, name);
        w.line(`from app.models.${t.module} import ${t.className}`);
      }
    });
  }
  w.blank(2);
  w.text(body.toString());
  return w.toString();
}

function compareModule(ctx: Ctx, a: string, b: string): number {
  const ma = info(ctx, a).module;
  const mb = info(ctx, b).module;
  return ma < mb ? -1 : ma > mb ? 1 : 0;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

function snakeAttr(ctx: Ctx, entity: string, field: string): string {
  return info(ctx, entity).byName.get(field)?.attr ?? field;
}

/** models/__init__.py reads the entities' class and module names and whether there are events. */
function initModule(ctx: Ctx): MadeText {
  let key = `models/__init__ ${ctx.hasEvents}`;
  for (const e of ctx.entities.values()) key += ` ${e.module}:${e.className}`;
  return remembered(key, () => makeInitModule(ctx));
}

function makeInitModule(ctx: Ctx): string {
  const w = new CodeWriter();
  const imports = new Imports();
  const names: string[] = [];
  for (const e of ctx.entities.values()) {
    imports.add(`app.models.${e.module}`, e.className);
    names.push(e.className);
  }
  if (ctx.hasEvents) {
    imports.add('app.events.outbox', 'OutboxEvent');
    names.push('OutboxEvent');
  }
  moduleHeader(w, 'Every mapped class, imported so that Base.metadata knows every table.', imports);
  w.blank(1);
  stmt(w, 0, { open: '__all__ = [', items: [...names].sort().map(pyStr), close: ']' });
  return w.toString();
}
