import * as z from 'zod/mini';
import {
  defaultPageTexts,
  type PageCatalogue,
  type PageLanguage,
  type PageTexts,
  pageLanguages,
} from './page-texts';

// Norwegian arrives as `no` from most shops (AltaPay's own code) and as `nb` or `nn` from browsers.
const aliases: Readonly<Record<string, PageLanguage>> = { no: 'nb', nn: 'nb' };

/** The page language for a requested code such as `da` or `da-DK`; English when we do not write it. */
export function chooseLanguage(requested: string | undefined): PageLanguage {
  return supported(requested) ?? 'en';
}

function supported(code: string | undefined): PageLanguage | undefined {
  const primary = (code ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if ((pageLanguages as readonly string[]).includes(primary)) return primary as PageLanguage;
  return aliases[primary];
}

/**
 * The language of a browser's `Accept-Language` header (`da-DK,da;q=0.9,en;q=0.8`): its most wanted
 * language we write, English when none. For pages answered before any order can be read.
 */
export function languageFromAcceptLanguage(header: string | undefined): PageLanguage {
  const wanted = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [code = '', ...params] = part.split(';').map((p) => p.trim());
      const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
      return { code, q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { code } of wanted) {
    const language = supported(code);
    if (language) return language;
  }
  return 'en';
}

const textKeys = Object.keys(defaultPageTexts.en) as (keyof PageTexts)[];

/** One language's overrides: any of the keys, each a non-empty text; an unknown key is a typo. */
const languageOverridesSchema = z.strictObject(
  Object.fromEntries(
    textKeys.map((key) => [key, z.optional(z.string().check(z.minLength(1), z.maxLength(1000)))]),
  ) as Record<keyof PageTexts, z.ZodMiniOptional<z.ZodMiniString>>,
);
const overridesSchema = z.partialRecord(z.enum(pageLanguages), languageOverridesSchema);

/**
 * The texts with the merchant's overrides (PAGE_TEXTS: JSON such as `{"da":{"paidHeading":"Tak!"}}`)
 * merged over ours. Throws naming the language and key that is wrong, so a typo stops the function
 * at start-up instead of silently showing our text.
 */
export function withPageTextOverrides(json: string | undefined): PageCatalogue {
  if (json === undefined || json.trim() === '') return defaultPageTexts;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('PAGE_TEXTS must be JSON such as {"da":{"paidHeading":"Tak for din ordre"}}');
  }
  const parsed = overridesSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.join('.');
      if (issue.code === 'unrecognized_keys' && where === '') {
        return `${issue.keys.join(', ')} is not a language: use one of ${pageLanguages.join(', ')}`;
      }
      if (issue.code === 'unrecognized_keys') {
        return `${where}.${issue.keys.join(', ')} is not a page text (the keys are those of shared/pages/page-texts.ts)`;
      }
      if (issue.code === 'invalid_key')
        return `${where} is not a language: use one of ${pageLanguages.join(', ')}`;
      return `${where || '(whole)'} must be a text of 1 to 1000 characters`;
    });
    throw new Error(`PAGE_TEXTS: ${problems.join('; ')}`);
  }
  const overrides = parsed.data;
  return Object.fromEntries(
    pageLanguages.map((language) => {
      const own = Object.entries(overrides[language] ?? {}).filter(([, text]) => text !== undefined);
      return [language, { ...defaultPageTexts[language], ...Object.fromEntries(own) }];
    }),
  ) as Record<PageLanguage, PageTexts>;
}
