/**
 * Character rules for text clients send, shared by every handler and both stores.
 *
 * Storable: PostgreSQL `text` cannot hold U+0000, and a lone UTF-16 surrogate (which a
 * JSON page token can carry as `\ud800`) has no UTF-8 form, so each backend would store
 * something else. Both are refused at validation, before any store is touched, so SQLite
 * and PostgreSQL answer the same input the same way.
 */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

// With the u flag a surrogate pair is one code point; only an unpaired surrogate is \p{Cs}.
const UNSTORABLE = /[\0\p{Cs}]/u;

/**
 * Code points that draw nothing or change how neighbours draw, refused in identifiers (in
 * the spirit of PRECIS, RFC 8264 §9: controls, format characters such as zero-width
 * space/joiner, soft hyphen and bidi overrides, other default-ignorables, surrogates,
 * private use, unassigned).
 */
const INVISIBLE_IN_IDENTIFIER = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Default_Ignorable_Code_Point}]/u;

export function hasInvisibleCharacters(value: string): boolean {
  return INVISIBLE_IN_IDENTIFIER.test(value);
}

/** Removes what INVISIBLE_IN_IDENTIFIER refuses (for re-keying rows stored before the rule). */
export function withoutInvisibleCharacters(value: string): string {
  return value.replace(new RegExp(INVISIBLE_IN_IDENTIFIER.source, 'gu'), '');
}

/**
 * Refused in free text shown to others (display names): control characters and the bidi
 * embeddings, overrides and isolates that make text display in another order than it reads
 * (U+202A–202E, U+2066–2069). Joiners, variation selectors and direction marks stay: scripts
 * and emoji need them.
 */
const UNSAFE_IN_FREE_TEXT = /[\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]/u;

export function hasUnsafeFreeTextCharacters(value: string): boolean {
  return UNSAFE_IN_FREE_TEXT.test(value);
}

/**
 * Something that draws: not a space/separator, control, format, default-ignorable or unassigned
 * code point, nor the Braille blank (U+2800), which renders as nothing but is a "symbol".
 */
const VISIBLE = /[^\p{White_Space}\p{Z}\p{Cc}\p{Cf}\p{Cs}\p{Cn}\p{Default_Ignorable_Code_Point}\u2800]/u;

export function hasVisibleCharacter(value: string): boolean {
  return VISIBLE.test(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An id as our stores make them (randomUUID: lower-case hex). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
