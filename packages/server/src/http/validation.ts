/**
 * Request validation. Bodies are JSON and must already have the declared types: `{"text":123}`
 * is an error, not the string "123" (Fastify's default coerces). Query strings, path
 * parameters and headers are text by nature, so there numbers are coerced (`?limit=50`).
 */
import { SAFE_STRING_PATTERN, UNSAFE_STRING_MESSAGE } from "@chorus/protocol";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { FastifySchema, FastifySchemaCompiler } from "fastify";

const common = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const;
const strictAjv = new Ajv({ ...common, coerceTypes: false });
const coercingAjv = new Ajv({ ...common, coerceTypes: "array" });

export const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
  const validate: ValidateFunction = (httpPart === "body" ? strictAjv : coercingAjv).compile(schema as object);
  return (data: unknown) =>
    validate(data)
      ? { value: data }
      : { error: new Error(strictAjv.errorsText(validate.errors?.map(readable), { dataVar: "" })) };
};

/** The safe-string pattern would be a useless message; say what it forbids. */
function readable(error: ErrorObject): ErrorObject {
  return error.keyword === "pattern" && error.params["pattern"] === SAFE_STRING_PATTERN
    ? { ...error, message: UNSAFE_STRING_MESSAGE }
    : error;
}
