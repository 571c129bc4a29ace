// Shared pieces of the /api/v1 routers: the router factory (our validation errors) and common schemas.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";

export function apiRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

export const ErrorSchema = z
  .object({
    status: z.literal("error"),
    message: z.string(),
    error_code: z.string().openapi({ example: "VALIDATION_ERROR" }),
    details: z.unknown().optional(),
  })
  .openapi("Error");

const errorResponse = (description: string) => ({
  content: { "application/json": { schema: ErrorSchema } },
  description,
});

/** The error responses every authenticated route can give. */
export const authErrors = {
  400: errorResponse("Invalid input"),
  401: errorResponse("Not signed in, or bad API key"),
  403: errorResponse("Role or package does not allow this"),
  429: errorResponse("Rate limited; see Retry-After"),
} as const;

export const notFoundError = { 404: errorResponse("Not found (or belongs to another business)") } as const;
export const conflictError = { 409: errorResponse("Conflict") } as const;

export const jsonContent = <T extends z.ZodType>(schema: T, description = "OK") => ({
  content: { "application/json": { schema } },
  description,
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

export const ListQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable() }).openapi(name);

export const security: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .transform((s) => s.toLowerCase());

export const Password = z.string().min(8).max(200);
