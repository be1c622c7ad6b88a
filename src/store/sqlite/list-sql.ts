import type { ListQuery, ReadyQuery } from '../store.js';

/** A statement's text and its parameters. */
export interface Statement {
  sql: string;
  params: unknown[];
}

const name = (column: string) => `"${column.replace(/"/g, '""')}"`;
const marks = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/**
 * The SQL Kysely builds for `KyselyStore.list` and `count` on SQLite, written directly: building
 * it through Kysely cost more than running it, several times per command. Undefined for what
 * it does not write (an offset without a limit), which goes through Kysely as before.
 * `columns` is the select list of a list (all columns by default).
 */
export function listSql<R>(table: string, query: ListQuery<R>, count: boolean, columns = '*'): Statement | undefined {
  if (!count && query.offset !== undefined && query.limit === undefined) return undefined;
  const where: string[] = [];
  const params: unknown[] = [];
  const term = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    params.push(...values);
  };
  if (!query.includeDeleted) term('"deleted_at" is null');
  for (const [field, condition] of Object.entries(query.where ?? {})) {
    if (condition === undefined) continue;
    if (condition === null) term(`${name(field)} is null`);
    else if (Array.isArray(condition)) {
      const values = condition as unknown[];
      term(values.length === 0 ? '1 = 0' : `${name(field)} in (${marks(values)})`, ...values);
    } else if (typeof condition === 'object' && 'not' in condition) {
      const values = (condition as { not: readonly unknown[] }).not;
      if (values.length > 0) term(`${name(field)} not in (${marks(values)})`, ...values);
    } else term(`${name(field)} = ?`, condition);
  }
  if (query.search && query.search.text !== '') {
    const pattern = `%${query.search.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const fields = query.search.fields;
    term(`(${fields.map((f) => `lower(${name(f)}) like ? escape '\\'`).join(' or ')})`, ...fields.map(() => pattern));
  }
  if (count) return { sql: `select count(*) as "n" from ${name(table)}${clause(where)}`, params };
  if (query.afterId !== undefined) term('"id" > ?', query.afterId);
  const order = (query.orderBy ?? [['id', 'asc']]).map(([field, direction, options]) => {
    let by = name(field);
    if (options?.ranks) {
      by = `case ${by} ${options.ranks.map((_, i) => `when ? then ${i}`).join(' ')} else ${options.ranks.length} end`;
      params.push(...options.ranks);
    }
    return `${by} ${direction}${options?.nullsLast ? ' nulls last' : ''}`;
  });
  let sql = `select ${columns} from ${name(table)}${clause(where)} order by ${order.join(', ')}`;
  if (query.limit !== undefined) {
    sql += ' limit ?';
    params.push(query.limit);
  }
  if (query.offset !== undefined) {
    sql += ' offset ?';
    params.push(query.offset);
  }
  return { sql, params };
}

const clause = (where: readonly string[]) => (where.length > 0 ? ` where ${where.join(' and ')}` : '');

/** The SQL Kysely builds for `KyselyStore.readyItems` on SQLite: live, open items no open item blocks. */
export function readySql(query: ReadyQuery): Statement {
  const done = query.doneStatuses.length > 0 ? query.doneStatuses : ['\u0000'];
  const where = [
    '"w"."deleted_at" is null',
    `"w"."status" not in (${marks(done)})`,
    'not exists (select 1 as "x" from "dependencies" as "d" inner join "work_items" as "b" on "b"."id" = "d"."blocking_item_id"' +
      ` where "d"."blocked_item_id" = "w"."id" and "d"."dependency_type" = ? and "d"."deleted_at" is null and "b"."deleted_at" is null and "b"."status" not in (${marks(done)}))`,
  ];
  const params: unknown[] = [...done, 'blocks', ...done];
  const equal = (column: string, value: string | null | undefined) => {
    if (value === undefined) return;
    if (value === null) where.push(`"w".${name(column)} is null`);
    else {
      where.push(`"w".${name(column)} = ?`);
      params.push(value);
    }
  };
  equal('project_id', query.projectId);
  equal('assignee_id', query.assigneeId);
  equal('sprint_id', query.sprintId);
  params.push(query.limit);
  const priority = `case "w"."priority" when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end`;
  return {
    sql: `select "w".* from "work_items" as "w"${clause(where)} order by ${priority}, "w"."position", "w"."item_number" limit ?`,
    params,
  };
}
