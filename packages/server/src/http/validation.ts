/**
 * Request validation. Bodies are JSON and must already have the declared types: `{"text":123}`
 * is an error, not the string "123" (Fastify's default coerces). Query strings and path
 * parameters are text by nature, so there numbers are coerced (`?limit=50`).
 */
import { Ajv, type ValidateFunction } from "ajv";
import type { FastifySchema, FastifySchemaCompiler } from "fastify";

const common = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const;
const strictAjv = new Ajv({ ...common, coerceTypes: false });
const coercingAjv = new Ajv({ ...common, coerceTypes: "array" });

export const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
  const validate: ValidateFunction = (httpPart === "body" ? strictAjv : coercingAjv).compile(schema as object);
  return (data: unknown) =>
    validate(data) ? { value: data } : { error: new Error(strictAjv.errorsText(validate.errors, { dataVar: "" })) };
};
