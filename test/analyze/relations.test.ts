import { describe, expect, it } from 'vitest';
import { APP, codesOf, program } from './helpers.js';

const field = (p: ReturnType<typeof program>, e: string, f: string) =>
  p.entities.find((x) => x.name === e)!.fields.find((x) => x.name === f)!;

describe('relation inference', () => {
  it('a list of its own entity is a symmetric many-to-many: people, person_friends', () => {
    const p = program(APP + 'entity Person {\n  name string\n  friends Person[]\n}\n');
    expect(p.entities[0]!.table).toBe('people');
    expect(field(p, 'Person', 'friends')).toMatchObject({
      apiName: 'friendIds',
      type: { relation: 'many-to-many', inverse: 'friends', joinTable: 'person_friends' },
    });
    expect(field(p, 'Person', 'friends').column).toBeUndefined();
    expect(p.joinTables).toEqual([
      {
        name: 'person_friends',
        sides: [
          { entity: 'Person', field: 'friends', column: 'friend_id', references: 'people' },
          { entity: 'Person', field: 'friends', column: 'person_id', references: 'people' },
        ],
        symmetric: true,
      },
    ]);
  });

  it('unique to-one is one-to-one; `by` names its inverse, which has no column', () => {
    const p = program(
      APP +
        'entity Customer {\n  profile Profile? by customer\n}\nentity Profile {\n  customer Customer unique on delete cascade\n}\n',
    );
    expect(field(p, 'Profile', 'customer')).toMatchObject({
      column: 'customer_id',
      apiName: 'customerId',
      type: { relation: 'one-to-one', owning: true, inverse: 'profile', onDelete: 'cascade' },
    });
    const inverse = field(p, 'Customer', 'profile');
    expect(inverse.type).toMatchObject({
      relation: 'one-to-one',
      owning: false,
      inverse: 'customer',
    });
    expect(inverse.column).toBeUndefined();
  });

  it('pairs several many-to-many lists with `by`; the second join table is <singular>_<field>', () => {
    const p = program(
      APP +
        'entity Post {\n  tags Tag[] by posts\n  featured Tag[] by featuredIn\n}\nentity Tag {\n  posts Post[]\n  featuredIn Post[]\n}\n',
    );
    expect(p.joinTables.map((j) => j.name)).toEqual(['post_tag', 'post_featured']);
    expect(field(p, 'Tag', 'featuredIn')).toMatchObject({
      apiName: 'featuredInIds',
      type: { inverse: 'featured', joinTable: 'post_featured' },
    });
  });

  it('names the inverse of one of several to-one fields with `by`; defaults onDelete to restrict', () => {
    const p = program(
      APP +
        'entity Person {\n  sent Message[] by sender\n  received Message[] by recipient\n}\nentity Message {\n  sender Person\n  recipient Person\n}\n',
    );
    expect(field(p, 'Person', 'sent').type).toMatchObject({
      relation: 'one-to-many',
      inverse: 'sender',
    });
    expect(field(p, 'Message', 'recipient').type).toMatchObject({
      inverse: 'received',
      onDelete: 'restrict',
    });
  });

  it('reports ambiguity, a list with nothing pointing back, and a `by` that does not point back', () => {
    expect(
      codesOf(
        APP +
          'entity Person {\n  sent Message[]\n}\nentity Message {\n  sender Person\n  recipient Person\n}\n',
      ),
    ).toEqual(['BC2008']);
    expect(codesOf(APP + 'entity A {\n  bs B[]\n}\nentity B { n int }\n')).toEqual(['BC2009']);
    expect(codesOf(APP + 'entity A {\n  bs B[] by n\n}\nentity B {\n  n int\n  a A\n}\n')).toEqual([
      'BC2010',
    ]);
  });

  it('a to-one without an inverse is fine: many-to-one with a column and no inverse', () => {
    const p = program(APP + 'entity A { name string }\nentity B {\n  a A?\n}\n');
    expect(field(p, 'B', 'a')).toMatchObject({
      optional: true,
      column: 'a_id',
      type: { relation: 'many-to-one', owning: true },
    });
    expect(field(p, 'B', 'a').type).not.toHaveProperty('inverse');
  });

  it('`by` on both sides of a many-to-many makes one join table (also on one entity)', () => {
    const p = program(
      APP +
        'entity Person {\n  followers Person[] by following\n  following Person[] by followers\n}\nentity A {\n  bs B[] by as\n}\nentity B {\n  as A[] by bs\n}\n',
    );
    expect(
      p.joinTables.map((j) => [j.name, j.symmetric, j.sides.map((s) => `${s.field}:${s.column}`)]),
    ).toEqual([
      ['person_followers', false, ['following:follower_id', 'followers:person_id']],
      ['a_b', false, ['bs:a_id', 'as:b_id']],
    ]);
    expect(field(p, 'Person', 'following').type).toMatchObject({
      inverse: 'followers',
      joinTable: 'person_followers',
    });
  });
});
