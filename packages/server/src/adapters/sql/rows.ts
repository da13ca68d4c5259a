/** Row conversions shared by the SQL sub-stores: int8 columns, JSON text, role names. */
import { ROLES, type Role } from "@chorus/protocol";
import { type RawBuilder, sql } from "kysely";

export type Int8 = string | number | bigint;
export const num = (v: Int8): number => Number(v);
export const numOrNull = (v: Int8 | null): number | null => (v === null ? null : Number(v));

/** jsonb from a JSON text parameter: avoids driver-specific JSON serialisation. */
export function jsonb(value: unknown): RawBuilder<string> {
  return sql<string>`cast(${JSON.stringify(value)}::text as jsonb)`;
}

export function parseJson<T>(value: string | object): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
