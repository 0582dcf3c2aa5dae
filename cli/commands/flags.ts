import { z } from 'zod';

/** Shared zod schemas for the eval and bench flags (strings from parseArgs → validated values). */
export const positiveInt = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      if (!/^[1-9]\d*$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a positive integer, got '${v}'` });
        return z.NEVER;
      }
      return Number(v);
    });

export const epFlag = z.enum(['cpu', 'cuda'], { message: "must be 'cpu' or 'cuda'" }).default('cpu');
