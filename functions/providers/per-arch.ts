import { z } from 'zod';

/** One value per CPU architecture (an image per arch), at least one of them. */
export const perArch = <T extends z.ZodType>(id: T) =>
  z.strictObject({ amd64: id.optional(), arm64: id.optional() }).refine((m) => m.amd64 !== undefined || m.arm64 !== undefined, {
    error: 'at least one of "amd64", "arm64"',
  });
