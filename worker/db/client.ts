import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof database>;

/** The typed database handle every data function takes (so tenants can later be spread over databases). */
export function database(d1: D1Database) {
  return drizzle(d1, { schema });
}
