import { z } from 'zod';

/** An alias name: what `PUT /models/:id/aliases/:alias` accepts and `@alias` refers to. */
export const AliasSchema = z.string().regex(/^[A-Za-z][\w.-]{0,63}$/, 'an alias is a letter, then up to 63 letters, digits, "_", "." or "-"');

/** A version as a client names it: its number, or `@alias`. */
export const VersionRefSchema = z.union([
  z.coerce.number().int().positive(),
  z.string().startsWith('@').pipe(z.string().transform((ref) => ref.slice(1)).pipe(AliasSchema)).transform((alias) => ({ alias })),
]);
export type VersionRef = z.infer<typeof VersionRefSchema>;
